package io.spin.testresource;

import io.spin.stack.SharedStack;

import io.spin.commons.stack.StackEndpoints;

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
        if (e.kafkaCredentials() != null) {
            e.kafkaCredentials().clientConfig().forEach((key, value) -> {
                config.put("kafka." + key, value);
                config.put("kafka-streams." + key, value);
            });
        }
        config.put("mp.messaging.connector.smallrye-kafka.apicurio.registry.url", e.registryApiV3());
        config.put("apicurio.registry.url", e.registryApiV3());
        config.put("spin.registry-api-url", e.registryApiV3());
        if (e.registryDeployerPassword() != null) {
            // the orchestrator registers, as on Kubernetes; given as the variable its application.properties reads, since
            // spin.registry.* is a key of the orchestrator's mapping only (another service would refuse it as unknown)
            config.put("SPIN_REGISTRY_DEPLOYER_PASSWORD", e.registryDeployerPassword());
        }
        config.put("spin.s3.endpoint", e.s3Endpoint());
        config.put("spin.s3.access-key", e.s3AccessKey());
        config.put("spin.s3.secret-key", e.s3SecretKey());
        config.put("spin.s3.bucket", e.bucket());
        return config;
    }

    /**
     * Waits until the service under test reports ready on {@code port} (its start-up work, such as replaying the
     * control log or starting stream threads, done), or fails the test after 60 s.
     */
    public static void awaitReady(int port) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.http.HttpRequest ready = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(java.time.Duration.ofSeconds(3)).build();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(ready, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
                Thread.sleep(200);
            } catch (java.io.IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for readiness", e);
            }
        }
        throw new AssertionError("service on port " + port + " not ready in 60 s");
    }

    @Override
    public void stop() {
        // the stack is shared by every test of the JVM; SharedStackSessionListener stops it at the end
    }
}
