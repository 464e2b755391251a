package io.spin.stack;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.spin.contract.TopicAdmin;

/** The same integration tests on Kafka, Apicurio and MinIO containers; skipped where there is no Docker. */
@Testcontainers(disabledWithoutDocker = true)
class ContainersIntegrationTest extends StackIntegrationTests {
    static KafkaContainer kafka;
    static GenericContainer<?> registry;
    static MinIOContainer minio;
    static StackEndpoints endpoints;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaContainer("apache/kafka:4.1.2");
        registry = new GenericContainer<>("apicurio/apicurio-registry:3.3.3").withExposedPorts(8080)
                .waitingFor(Wait.forHttp("/apis/registry/v3/system/info").forPort(8080).withStartupTimeout(Duration.ofMinutes(3)));
        minio = new MinIOContainer("minio/minio:RELEASE.2025-09-07T16-13-09Z");
        kafka.start();
        registry.start();
        minio.start();
        endpoints = new StackEndpoints(kafka.getBootstrapServers(),
                "http://" + registry.getHost() + ":" + registry.getMappedPort(8080), minio.getS3URL(),
                minio.getUserName(), minio.getPassword(), "spin");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap()))) {
            TopicAdmin.ensureTopics(admin, Map.of());
        }
        MinioClient.builder().endpoint(endpoints.s3Endpoint()).credentials(endpoints.s3AccessKey(), endpoints.s3SecretKey())
                .build().makeBucket(MakeBucketArgs.builder().bucket("spin").build());
    }

    @AfterAll
    static void stop() {
        for (var c : new org.testcontainers.lifecycle.Startable[] {minio, registry, kafka}) {
            if (c != null) {
                c.stop();
            }
        }
    }

    @Override
    protected StackEndpoints endpoints() {
        return endpoints;
    }
}
