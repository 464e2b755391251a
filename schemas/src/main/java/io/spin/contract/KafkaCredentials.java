package io.spin.contract;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a SPIN process authenticates to Kafka: one principal per process, SCRAM-SHA-512, from
 * {@code SPIN_KAFKA_USER} and {@code SPIN_KAFKA_PASSWORD} (on Kubernetes from the Secret Strimzi creates for the
 * service's KafkaUser; locally from {@code .spin/kafka-users.properties}). Over TLS when {@code SPIN_KAFKA_CA_FILE}
 * names the cluster's CA certificate (PEM). Without a user, clients connect in plain text as before.
 */
public record KafkaCredentials(String user, String password, String caFile) {
    public static final String USER = "SPIN_KAFKA_USER";
    public static final String PASSWORD = "SPIN_KAFKA_PASSWORD";
    public static final String CA_FILE = "SPIN_KAFKA_CA_FILE";
    public static final String MECHANISM = "SCRAM-SHA-512";

    /** This process's credentials: the environment, else the same names as system properties; null when neither names a user. */
    public static KafkaCredentials current() {
        Map<String, String> env = System.getenv();
        String user = setting(env, USER);
        if (user == null) {
            return null;
        }
        String password = setting(env, PASSWORD);
        if (password == null) {
            throw new IllegalStateException(USER + " is set (" + user + "), so " + PASSWORD + " must be set too");
        }
        return new KafkaCredentials(user, password, setting(env, CA_FILE));
    }

    private static String setting(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        return value == null || value.isBlank() ? null : value;
    }

    /** The client settings for these credentials: security.protocol, sasl.mechanism, sasl.jaas.config, TLS trust. */
    public Map<String, String> clientConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("security.protocol", caFile == null ? "SASL_PLAINTEXT" : "SASL_SSL");
        config.put("sasl.mechanism", MECHANISM);
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + escape(user) + "\" password=\"" + escape(password) + "\";");
        if (caFile != null) {
            config.put("ssl.truststore.type", "PEM");
            config.put("ssl.truststore.location", caFile);
        }
        return config;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** A copy of a client's settings with this process's credentials added (unchanged when it has none). */
    public static Map<String, Object> secured(Map<String, Object> config) {
        Map<String, Object> out = new HashMap<>(config);
        KafkaCredentials credentials = current();
        if (credentials != null) {
            out.putAll(credentials.clientConfig());
        }
        return out;
    }

    @Override
    public String toString() {
        return "KafkaCredentials[" + user + "]"; // never the password
    }
}
