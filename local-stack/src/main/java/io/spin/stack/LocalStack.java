package io.spin.stack;

import io.spin.commons.stack.PrivateFiles;

import io.spin.commons.stack.KafkaUsers;

import io.spin.commons.stack.StackEndpoints;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;

import io.spin.contract.TopicAdmin;

/**
 * The local stack: a Kafka broker, Apicurio Registry and an S3 server as separate processes on 127.0.0.1, with data,
 * logs and pid files under one home folder. {@link #up} is idempotent and leaves nothing half-started;
 * {@link #down} stops exactly what {@link #up} started.
 */
public final class LocalStack {
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final StackSettings settings;
    private final Map<String, String> env;
    private final PrintStream out;
    private final List<Component> components = List.of(new KafkaBroker(), new SchemaRegistry(), new ObjectStore());

    public LocalStack(StackSettings settings, Map<String, String> env, PrintStream out) {
        this.settings = settings;
        this.env = env;
        this.out = out;
    }

    public StackSettings settings() {
        return settings;
    }

    /** Marks the stack secured (the default) or not; refused while any of its parts runs in the other mode. */
    public void secure(boolean secured) throws IOException {
        Path marker = settings.home().resolve(INSECURE);
        if (secured == !Files.exists(marker)) {
            return;
        }
        if (!runningPids().isEmpty()) {
            throw new StackException("the stack is running " + (secured ? "without" : "with") + " security; stop it first (./spin down)");
        }
        PrivateFiles.directory(settings.home());
        if (secured) {
            Files.delete(marker);
        } else {
            Files.writeString(marker, "started with --insecure: Kafka takes anyone, the registry lets anyone write\n");
        }
    }

    /** Where `./spin up --insecure` leaves its mark. */
    static final String INSECURE = "insecure";
    /** Where `./spin up --containers` leaves its mark: down, status and the services read it. */
    static final String CONTAINERS = "in-containers";

    /** Runs the stack (and the services) as containers or as processes; refused while any part runs the other way. */
    public void containers(boolean containers) throws IOException {
        Path marker = settings.home().resolve(CONTAINERS);
        if (containers == Files.exists(marker)) {
            return;
        }
        if (!runningPids().isEmpty()) {
            throw new StackException("the stack is running as " + (containers ? "processes" : "containers") + "; stop it first (./spin down)");
        }
        PrivateFiles.directory(settings.home());
        if (containers) {
            Files.writeString(marker, "started with --containers: every part runs from the images ./spin images built\n");
        } else {
            Files.delete(marker);
        }
    }

    static boolean inContainers(Path home) {
        return Files.exists(home.resolve(CONTAINERS));
    }

    public StackEndpoints endpoints() throws IOException {
        Properties credentials = credentials();
        if (Files.exists(settings.home().resolve(INSECURE))) {
            return new StackEndpoints("127.0.0.1:" + settings.kafkaPort(), "http://127.0.0.1:" + settings.registryPort(),
                    "http://127.0.0.1:" + settings.s3Port(), credentials.getProperty("accessKey"), credentials.getProperty("secretKey"),
                    settings.bucket());
        }
        return new StackEndpoints("127.0.0.1:" + settings.kafkaPort(), "http://127.0.0.1:" + settings.registryPort(),
                "http://127.0.0.1:" + settings.s3Port(), credentials.getProperty("accessKey"),
                credentials.getProperty("secretKey"), settings.bucket(), KafkaUsers.ADMIN, credentials.getProperty("kafkaAdminPassword"));
    }

    /** Starts whatever is not running, waits until all are healthy, creates topics and the bucket. */
    public StackEndpoints up() throws IOException, InterruptedException {
        PrivateFiles.directory(settings.home());
        settings.save();
        StackEndpoints endpoints = endpoints();
        List<Component> toStart = new ArrayList<>();
        for (Component c : components) {
            ManagedProcess process = process(c);
            if (process.running().isPresent()) {
                out.printf("%-20s already running (pid %d)%n", c.title(), process.running().get().pid());
            } else {
                if (process.clearStalePidFile()) {
                    out.printf("%-20s removed a stale pid file (its process was gone)%n", c.title());
                }
                toStart.add(c);
            }
        }
        checkPortsFree(toStart);
        boolean containers = inContainers(settings.home());
        SpinImages images = new SpinImages(env);
        Map<Component, Path> javas = new LinkedHashMap<>();
        for (Component c : toStart) {
            if (containers) {
                StackContainers.requireImage(c.image(images));
            } else {
                javas.put(c, c.java(env)); // fails before anything starts when no suitable Java exists
            }
        }
        List<Component> started = new ArrayList<>();
        long startedAt = System.nanoTime();
        try {
            for (Component c : toStart) {
                Path dir = settings.home().resolve(c.name());
                Files.createDirectories(dir);
                c.prepare(settings, dir, endpoints);
                ManagedProcess process = process(c);
                long pid = containers ? process.start(StackContainers.of(c, settings, dir, process.marker(), images), settings.home()).pid()
                        : process.start(javas.get(c), c.arguments(settings, dir), dir, c.environment()).pid();
                started.add(c);
                out.printf("%-20s starting (pid %d) on %s%n", c.title(), pid, c.endpoint(settings));
            }
            for (Component c : toStart) {
                awaitHealthy(c, endpoints, startedAt);
            }
            ensureTopics(endpoints);
            endpoints.registrySchemas().registerAll();
            endpoints.write(settings.home().resolve("endpoints.properties"));
            return endpoints;
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (Component c : started) {
                process(c).stop(STOP_GRACE);
            }
            throw e;
        }
    }

    private void checkPortsFree(List<Component> toStart) {
        for (Component c : toStart) {
            for (var port : c.ports(settings).entrySet()) {
                if (!portFree(port.getKey())) {
                    throw new StackException("port " + port.getKey() + " needed by the " + c.title()
                            + " is already in use by another program; choose another with " + port.getValue());
                }
            }
        }
    }

    /** Whether a process could listen on 127.0.0.1:port now (address reuse on, as servers set it: TIME_WAIT is no obstacle). */
    public static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void awaitHealthy(Component c, StackEndpoints endpoints, long startedAt) throws InterruptedException {
        long deadline = System.nanoTime() + c.startTimeout().toNanos();
        ManagedProcess process = process(c);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (process.running().isEmpty()) {
                throw new StackException(c.title() + " exited during start-up; last lines of " + process.logFile()
                        + ":\n" + process.tail(30));
            }
            try {
                if (c.healthy(settings, endpoints)) {
                    out.printf("%-20s healthy at %s (%.1f s after start)%n", c.title(), c.endpoint(settings), (System.nanoTime() - startedAt) / 1e9);
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new StackException(c.title() + " did not become healthy within " + c.startTimeout().toSeconds() + " s"
                + (last != null ? " (last probe: " + last + ")" : "") + "; last lines of " + process.logFile() + ":\n"
                + process.tail(30));
    }

    private void ensureTopics(StackEndpoints endpoints) {
        try (Admin admin = Admin.create(endpoints.kafkaClientConfig())) {
            for (String change : TopicAdmin.ensureTopics(admin, env)) {
                out.printf("%-20s %s%n", "topics", change);
            }
            if (endpoints.kafkaUser() != null) {
                KafkaAccess.ensure(admin, endpoints.kafkaPassword());
            }
        } catch (Exception e) {
            throw new StackException("could not create the SPIN topics, users and ACLs on " + endpoints.kafkaBootstrap() + ": " + e, e);
        }
    }

    /** Stops every component this home started, newest first. Returns how many were running. */
    public int down() throws IOException {
        int stopped = 0;
        for (int i = components.size() - 1; i >= 0; i--) {
            Component c = components.get(i);
            if (process(c).stop(STOP_GRACE)) {
                out.printf("%-20s stopped%n", c.title());
                stopped++;
            }
        }
        Files.deleteIfExists(settings.home().resolve("endpoints.properties"));
        if (inContainers(settings.home())) {
            stopped += StackContainers.removeLeftovers(settings.home(), out);
        }
        return stopped;
    }

    /** One line per component: running, endpoint, health. Returns true when all are up and healthy. */
    public boolean status() throws IOException {
        StackEndpoints endpoints = endpoints();
        boolean allHealthy = true;
        for (Component c : components) {
            ManagedProcess process = process(c);
            var handle = process.running();
            String health;
            if (handle.isEmpty()) {
                health = "stopped";
                allHealthy = false;
            } else {
                boolean ok;
                try {
                    ok = c.healthy(settings, endpoints);
                } catch (Exception e) {
                    ok = false;
                }
                health = ok ? "healthy" : "UNHEALTHY (see " + process.logFile() + ")";
                allHealthy &= ok;
            }
            out.printf("%-20s %-28s %-8s %s%n", c.title(), c.endpoint(settings),
                    handle.map(h -> "pid " + h.pid()).orElse("-"), health);
        }
        return allHealthy;
    }

    /** Stops one component ("kafka", "registry" or "s3"), keeping its data; {@link #up} starts it again. For fault tests. */
    public void stop(String component) throws IOException {
        Component c = components.stream().filter(x -> x.name().equals(component)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no component '" + component + "'"));
        process(c).stop(STOP_GRACE);
    }

    /** Pids of running components, for tests that prove nothing is left behind. */
    public List<Long> runningPids() {
        return components.stream().flatMap(c -> process(c).running().stream()).map(ProcessHandle::pid).toList();
    }

    private ManagedProcess process(Component c) {
        return new ManagedProcess(settings.home(), c.name());
    }

    /** S3 credentials and the Kafka admin's password, generated once per installation and kept (mode 600) in the stack home. */
    private Properties credentials() throws IOException {
        Path file = settings.home().resolve("credentials.properties");
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file)) {
                p.load(in);
            }
            if (p.getProperty("kafkaAdminPassword") != null) {
                return p;
            }
        }
        PrivateFiles.directory(settings.home());
        if (p.getProperty("accessKey") == null) {
            p.setProperty("accessKey", "spin" + random(16));
            p.setProperty("secretKey", random(40));
        }
        p.setProperty("kafkaAdminPassword", random(40));
        PrivateFiles.store(file, p, "S3 credentials and the Kafka admin's password of this local stack, generated at first start");
        return p;
    }

    private static String random(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
