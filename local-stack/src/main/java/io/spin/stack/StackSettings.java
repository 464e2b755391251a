package io.spin.stack;

import io.spin.commons.stack.PrivateFiles;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Ports and folders of one local stack. Defaults suit a developer machine; every port can be changed by a CLI
 * option or an environment variable, so two stacks (a developer's and a test run's) never collide.
 */
public record StackSettings(Path home, Path dist, int kafkaPort, int controllerPort, int registryPort,
                            int registryManagementPort, int s3Port, String bucket) {

    public static final int DEFAULT_KAFKA_PORT = 29092;
    public static final int DEFAULT_REGISTRY_PORT = 28080;
    public static final int DEFAULT_S3_PORT = 29000;

    /** Default ports, each overridable by SPIN_KAFKA_PORT, SPIN_REGISTRY_PORT, SPIN_S3_PORT. */
    public static StackSettings defaults(Path home, Path dist, Map<String, String> env) {
        int kafka = port(env, "SPIN_KAFKA_PORT", DEFAULT_KAFKA_PORT);
        int registry = port(env, "SPIN_REGISTRY_PORT", DEFAULT_REGISTRY_PORT);
        return new StackSettings(home, dist, kafka, kafka + 1, registry, registry + 1,
                port(env, "SPIN_S3_PORT", DEFAULT_S3_PORT), env.getOrDefault("SPIN_S3_BUCKET", "spin"));
    }

    /** Free ephemeral ports, for a stack private to one test JVM. */
    public static StackSettings freePorts(Path home, Path dist) {
        return new StackSettings(home, dist, freePort(), freePort(), freePort(), freePort(), freePort(), "spin");
    }

    /** The same stack with its distribution elsewhere (inside an image, for a component run as a container). */
    StackSettings withDist(Path otherDist) {
        return new StackSettings(home, otherDist, kafkaPort, controllerPort, registryPort, registryManagementPort, s3Port, bucket);
    }

    public StackSettings withPorts(Integer kafka, Integer registry, Integer s3) {
        int k = kafka != null ? kafka : kafkaPort;
        int r = registry != null ? registry : registryPort;
        return new StackSettings(home, dist, k, kafka != null ? k + 1 : controllerPort, r,
                registry != null ? r + 1 : registryManagementPort, s3 != null ? s3 : s3Port, bucket);
    }

    /** The settings the last {@code up} in this home used, or these defaults when there was none. */
    public static StackSettings load(Path home, Path dist, Map<String, String> env) throws IOException {
        Path file = home.resolve("settings.properties");
        StackSettings defaults = defaults(home, dist, env);
        if (!Files.exists(file)) {
            return defaults;
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return new StackSettings(home, dist, Integer.parseInt(p.getProperty("kafkaPort")),
                Integer.parseInt(p.getProperty("controllerPort")), Integer.parseInt(p.getProperty("registryPort")),
                Integer.parseInt(p.getProperty("registryManagementPort")), Integer.parseInt(p.getProperty("s3Port")),
                p.getProperty("bucket", defaults.bucket()));
    }

    public void save() throws IOException {
        PrivateFiles.directory(home);
        Properties p = new Properties();
        p.setProperty("kafkaPort", Integer.toString(kafkaPort));
        p.setProperty("controllerPort", Integer.toString(controllerPort));
        p.setProperty("registryPort", Integer.toString(registryPort));
        p.setProperty("registryManagementPort", Integer.toString(registryManagementPort));
        p.setProperty("s3Port", Integer.toString(s3Port));
        p.setProperty("bucket", bucket);
        try (var out = Files.newBufferedWriter(home.resolve("settings.properties"))) {
            p.store(out, "ports and bucket of this local stack");
        }
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number (1-65535), not '" + value + "'");
        }
    }

    /**
     * A port free now, below Linux's ephemeral range (32768-60999): a port the OS hands out for (0) is one it also
     * hands to outgoing connections, and a test's Kafka clients took one between its choice and the registry's bind
     * ("Address already in use", seen once in a fresh-clone mvn verify).
     */
    private static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20_000 + random.nextInt(12_700);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on this machine", e);
        }
    }
}
