package io.spin.stack;

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
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + s.controllerPort());
        // Clients authenticate with SCRAM-SHA-512 and may do only what their ACLs allow; the controller's listener
        // takes only the controller's own principal (PLAIN: SCRAM credentials live in the metadata it serves).
        String admin = endpoints.kafkaPassword();
        String controller = KafkaUsers.password(admin, KafkaUsers.CONTROLLER);
        p.setProperty("listeners", "SASL_PLAINTEXT://127.0.0.1:" + s.kafkaPort() + ",CONTROLLER://127.0.0.1:" + s.controllerPort());
        p.setProperty("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + s.kafkaPort());
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "SASL_PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        p.setProperty("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.setProperty("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        p.setProperty("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", scram(KafkaUsers.ADMIN, admin));
        p.setProperty("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.setProperty("sasl.mechanism.controller.protocol", "PLAIN");
        p.setProperty("listener.name.controller.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"" + KafkaUsers.CONTROLLER + "\" password=\"" + controller + "\" user_" + KafkaUsers.CONTROLLER + "=\"" + controller + "\";");
        p.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.setProperty("super.users", "User:" + KafkaUsers.ADMIN + ";User:" + KafkaUsers.CONTROLLER);
        p.setProperty("allow.everyone.if.no.acl.found", "false");
        p.setProperty("log.dirs", data.toAbsolutePath().toString());
        // Topics come only from SpinTopic; a typo'd topic name must fail, not silently create a topic.
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.partitions", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "10");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        Path config = dir.resolve("server.properties");
        Files.deleteIfExists(config);
        Files.createFile(config, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))); // it holds passwords
        try (var out = Files.newBufferedWriter(config)) {
            p.store(out, "single-node KRaft broker of the SPIN local stack");
        }
        Path secured = dir.resolve("scram-bootstrapped");
        if (!Files.exists(data.resolve("meta.properties"))) {
            format(s, dir, config, admin);
            Files.writeString(secured, KafkaUsers.ADMIN + "\n");
        } else if (!Files.exists(secured)) {
            throw new StackException("the Kafka data in " + data + " predates authentication: its metadata has no SCRAM user to log in"
                    + " with. Move it away (its records are then gone from this stack) and run ./spin up again.");
        }
    }

    private static String scram(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }

    /** Formats the storage with the admin's SCRAM credential in its first metadata, so the admin can log in from the start. */
    private void format(StackSettings s, Path dir, Path config, String adminPassword) throws IOException {
        List<String> cmd = List.of(java(Map.of()).toString(), "-cp", classpath(s), "kafka.tools.StorageTool", "format",
                "--ignore-formatted", "-t", Uuid.randomUuid().toString(), "-c", config.toAbsolutePath().toString(),
                "--add-scram", "SCRAM-SHA-512=[name=" + KafkaUsers.ADMIN + ",password=" + adminPassword + "]");
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
        }
    }

    @Override
    public Path java(Map<String, String> env) {
        return Path.of(System.getProperty("java.home"), "bin", "java");
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
