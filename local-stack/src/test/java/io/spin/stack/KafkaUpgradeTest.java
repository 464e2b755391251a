package io.spin.stack;

import io.spin.commons.stack.StackEndpoints;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.spin.contract.SpinTopic;

/** Kafka data formatted before the stack had authentication (no SCRAM user in it) is upgraded in place by ./spin up. */
class KafkaUpgradeTest {

    @Test
    void dataWithoutAnyScramUserGetsTheAdminsCredentialAndTheStackComesUpSecured(@TempDir Path home) throws Exception {
        StackSettings settings = StackSettings.freePorts(home, Dist.locate(Map.of()));
        Path dir = home.resolve("kafka");
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        KafkaBroker broker = new KafkaBroker();
        broker.format(settings, dir, KafkaBroker.write(dir.resolve("old.properties"), KafkaBrokerConfig.plainText(settings, data)), null);
        assertTrue(Files.exists(data.resolve("meta.properties")) && !Files.exists(dir.resolve("scram-bootstrapped")), "old-style data");

        LocalStack stack = new LocalStack(settings, Map.of(), System.out);
        try {
            StackEndpoints endpoints = stack.up();
            assertTrue(Files.exists(dir.resolve("scram-bootstrapped")));
            try (Admin admin = Admin.create(endpoints.kafkaClientConfig())) {
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(SpinTopic.CONTROL.topicName()),
                        "the admin logs in to the upgraded data and the topics were made");
            }
        } finally {
            stack.down();
        }
    }
}
