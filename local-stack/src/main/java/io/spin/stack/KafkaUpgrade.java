package io.spin.stack;

import io.spin.commons.stack.KafkaUsers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Kafka data written before the stack had authentication holds no SCRAM user, so nobody could log in to it. Once,
 * the broker starts on it in plain text, on loopback and with nothing else running, only long enough to add the
 * admin's credential; then it stops and starts secured. Nothing in the data is lost.
 */
final class KafkaUpgrade {
    private static final Duration START = Duration.ofSeconds(90);

    private final StackSettings settings;
    private final Path dir;
    private final String classpath;
    private final Path java;

    KafkaUpgrade(StackSettings settings, Path dir, String classpath, Path java) {
        this.settings = settings;
        this.dir = dir;
        this.classpath = classpath;
        this.java = java;
    }

    void addAdmin(Path plainTextConfig, String adminPassword) throws IOException {
        Path log = dir.resolve("upgrade.log");
        Process broker = new ProcessBuilder(List.of(java.toString(), "-Xmx512m", "-cp", classpath, "kafka.Kafka",
                plainTextConfig.toAbsolutePath().toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + settings.kafkaPort(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000))) {
            awaitReady(admin, broker, log);
            admin.alterUserScramCredentials(List.of(KafkaAccess.user(KafkaUsers.ADMIN, adminPassword))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new StackException("could not add the admin's credential to the Kafka data in " + dir.resolve("data") + ": " + e
                    + "; the broker's log: " + log, e);
        } finally {
            stop(broker);
            Files.deleteIfExists(plainTextConfig);
        }
    }

    private static void awaitReady(Admin admin, Process broker, Path log) throws Exception {
        Instant until = Instant.now().plus(START);
        while (Instant.now().isBefore(until)) {
            if (!broker.isAlive()) {
                throw new StackException("the broker stopped while upgrading its data; " + log + ":\n" + Files.readString(log));
            }
            try {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception notYet) {
                Thread.sleep(500);
            }
        }
        throw new StackException("the broker did not start on its old data within " + START.toSeconds() + " s; see " + log);
    }

    /** A clean shutdown (SIGTERM), so the metadata holding the new credential is flushed. */
    private static void stop(Process broker) {
        broker.destroy();
        try {
            if (!broker.waitFor(60, TimeUnit.SECONDS)) {
                broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
