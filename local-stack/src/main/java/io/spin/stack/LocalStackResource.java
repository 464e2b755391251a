package io.spin.stack;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} at the shared test stack (started once per test JVM, or given by SPIN_* variables):
 * Kafka, Kafka Streams, the Apicurio serdes and the S3 settings every SPIN service reads.
 */
public final class LocalStackResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        StackEndpoints e = SharedStack.endpoints();
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", e.kafkaBootstrap());
        config.put("quarkus.kafka-streams.bootstrap-servers", e.kafkaBootstrap());
        config.put("mp.messaging.connector.smallrye-kafka.apicurio.registry.url", e.registryApiV3());
        config.put("apicurio.registry.url", e.registryApiV3());
        config.put("spin.registry-url", e.registryApiV3());
        config.put("spin.s3.endpoint", e.s3Endpoint());
        config.put("spin.s3.access-key", e.s3AccessKey());
        config.put("spin.s3.secret-key", e.s3SecretKey());
        config.put("spin.s3.bucket", e.bucket());
        return config;
    }

    @Override
    public void stop() {
        // the stack is shared by every test of the JVM; SharedStackSessionListener stops it at the end
    }
}
