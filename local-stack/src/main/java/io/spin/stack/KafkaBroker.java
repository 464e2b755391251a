package io.spin.stack;

import io.spin.commons.stack.PrivateFiles;

import io.spin.commons.stack.KafkaUsers;

import io.spin.commons.stack.StackEndpoints;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/** A single-node KRaft broker (broker and controller in one process) from the Kafka jars in dist/kafka. */
final class KafkaBroker implements Component {

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String title() {
        return "Kafka broker";
    }

    @Override
    public Map<Integer, String> ports(StackSettings s) {
        return Map.of(s.kafkaPort(), "--kafka-port or SPIN_KAFKA_PORT",
                s.controllerPort(), "--kafka-port or SPIN_KAFKA_PORT (the controller uses the next port)");
    }

    @Override
    public String endpoint(StackSettings s) {
        return "127.0.0.1:" + s.kafkaPort();
    }

    @Override
    public void prepare(StackSettings s, Path dir, StackEndpoints endpoints) throws IOException {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        String admin = endpoints.kafkaPassword();
        if (admin == null) { // ./spin up --insecure
            Path config = write(dir.resolve("server.properties"), KafkaBrokerConfig.plainText(s, data));
            if (!Files.exists(data.resolve("meta.properties"))) {
                format(s, dir, config, null);
            }
            return;
        }
        Path config = write(dir.resolve("server.properties"), KafkaBrokerConfig.secured(s, data, admin));
        Path secured = dir.resolve("scram-bootstrapped");
        if (!Files.exists(data.resolve("meta.properties"))) {
            format(s, dir, config, admin);
        } else if (!Files.exists(secured)) {
            new KafkaUpgrade(s, dir, classpath(s), java(Map.of())).addAdmin(write(dir.resolve("server-plaintext.properties"),
                    KafkaBrokerConfig.plainText(s, data)), admin);
        }
        Files.writeString(secured, KafkaUsers.ADMIN + "\n");
    }

    /** server.properties holds passwords. */
    static Path write(Path file, Properties p) throws IOException {
        return PrivateFiles.store(file, p, "single-node KRaft broker of the SPIN local stack");
    }

    /**
     * Formats the storage with the admin's SCRAM credential in its first metadata, so the admin can log in from the
     * start (without one when adminPassword is null: how the stack formatted before it had authentication).
     */
    void format(StackSettings s, Path dir, Path config, String adminPassword) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("-cp", classpath(s), "kafka.tools.StorageTool",
                "format", "--ignore-formatted", "-t", Uuid.randomUuid().toString(), "-c", config.toAbsolutePath().toString()));
        if (adminPassword != null) {
            args.addAll(List.of("--add-scram", "SCRAM-SHA-512=[name=" + KafkaUsers.ADMIN + ",password=" + adminPassword + "]"));
        }
        // StorageTool takes the credential only as an argument: the JVM reads it from a private argument file, so no
        // process listing (ps, /proc/PID/cmdline) ever shows the password
        Path argFile = PrivateFiles.writeString(dir.resolve("format.args"), JavaArgFile.of(args));
        List<String> cmd = List.of(java(Map.of()).toString(), "@" + argFile.toAbsolutePath());
        Path log = dir.resolve("format.log");
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new StackException("formatting Kafka storage failed; " + log + ":\n" + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while formatting Kafka storage");
        } finally {
            Files.deleteIfExists(argFile);
        }
    }

    @Override
    public Path java(Map<String, String> env) {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    @Override
    public String image(SpinImages images) {
        return images.kafka();
    }

    @Override
    public List<String> arguments(StackSettings s, Path dir) {
        return List.of("-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
                "-cp", classpath(s), "kafka.Kafka", dir.resolve("server.properties").toAbsolutePath().toString());
    }

    private static String classpath(StackSettings s) {
        return s.dist().resolve("kafka") + "/*:" + s.dist().resolve("lib") + "/*";
    }

    @Override
    public Duration startTimeout() {
        return Duration.ofSeconds(90);
    }

    @Override
    public boolean healthy(StackSettings s, StackEndpoints endpoints) throws Exception {
        Map<String, Object> config = endpoints.kafkaClientConfig();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(config)) {
            return !admin.describeCluster(new DescribeClusterOptions().timeoutMs(2500)).nodes().get(3, TimeUnit.SECONDS).isEmpty();
        }
    }
}
