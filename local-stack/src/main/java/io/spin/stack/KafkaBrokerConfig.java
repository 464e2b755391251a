package io.spin.stack;

import io.spin.commons.stack.KafkaUsers;

import java.nio.file.Path;
import java.util.Properties;

/** The local broker's server.properties: a single KRaft node, secured (the default) or, once for an upgrade, in plain text. */
final class KafkaBrokerConfig {
    private KafkaBrokerConfig() {
    }

    /**
     * Clients authenticate with SCRAM-SHA-512 and may do only what their ACLs allow; the controller's listener takes
     * only the controller's own principal (PLAIN: SCRAM credentials live in the metadata it serves).
     */
    static Properties secured(StackSettings s, Path data, String adminPassword) {
        Properties p = common(s, data);
        String controller = KafkaUsers.password(adminPassword, KafkaUsers.CONTROLLER);
        p.setProperty("listeners", "SASL_PLAINTEXT://127.0.0.1:" + s.kafkaPort() + ",CONTROLLER://127.0.0.1:" + s.controllerPort());
        p.setProperty("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + s.kafkaPort());
        p.setProperty("inter.broker.listener.name", "SASL_PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        p.setProperty("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.setProperty("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        p.setProperty("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", scram(KafkaUsers.ADMIN, adminPassword));
        p.setProperty("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.setProperty("sasl.mechanism.controller.protocol", "PLAIN");
        p.setProperty("listener.name.controller.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"" + KafkaUsers.CONTROLLER + "\" password=\"" + controller + "\" user_" + KafkaUsers.CONTROLLER + "=\"" + controller + "\";");
        p.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.setProperty("super.users", "User:" + KafkaUsers.ADMIN + ";User:" + KafkaUsers.CONTROLLER);
        p.setProperty("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    /** As the stack ran before it had authentication: used only to add the admin's credential to such data. */
    static Properties plainText(StackSettings s, Path data) {
        Properties p = common(s, data);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + s.kafkaPort() + ",CONTROLLER://127.0.0.1:" + s.controllerPort());
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + s.kafkaPort());
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        return p;
    }

    private static Properties common(StackSettings s, Path data) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + s.controllerPort());
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("log.dirs", data.toAbsolutePath().toString());
        // Topics come only from SpinTopic; a typo'd topic name must fail, not silently create a topic.
        p.setProperty("auto.create.topics.enable", "false");
        // the topics Kafka Streams makes for itself take the broker's default: the same bound as every SPIN topic
        p.setProperty("message.max.bytes", Integer.toString(io.spin.contract.Limits.RECORD_BYTES));
        p.setProperty("replica.fetch.max.bytes", Integer.toString(io.spin.contract.Limits.RECORD_BYTES));
        p.setProperty("num.partitions", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "10");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        return p;
    }

    static String scram(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }
}
