package io.spin.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The four SPIN services as separate processes from their packaged jars (target/quarkus-app), pointed at a stack's
 * endpoints through the SPIN_* variables: what `./spin up` runs and what the end-to-end tests run.
 */
public final class LocalServices {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final Path home;
    private final Path root;
    private final List<ServiceSpec> specs;
    private final PrintStream out;
    private int generatorThreads;

    private final String apiToken;

    public LocalServices(Path home, Path root, int basePort, int generators, PrintStream out) {
        this.home = home;
        this.root = root;
        this.specs = ServiceSpec.defaults(basePort, generators);
        this.out = out;
        this.apiToken = ApiToken.of(home);
        ApiToken.register(orchestratorUrl(), apiToken);
    }

    private final Map<String, String> extraEnv = new HashMap<>();

    /** Extra environment for every service (e.g. SPIN_TRAINER_CHECKPOINT_EVERY in fault tests). */
    public LocalServices withEnv(String name, String value) {
        extraEnv.put(name, value);
        return this;
    }

    /** Compute threads of each generator replica (0: the engine's default). */
    public LocalServices withGeneratorThreads(int threads) {
        this.generatorThreads = threads;
        return this;
    }

    public String orchestratorUrl() {
        return specs.get(0).url();
    }

    /** Every service's base URL by its name (orchestrator, pair-builder, trainer, generator, generator-2, ...). */
    public Map<String, String> urls() {
        Map<String, String> urls = new java.util.LinkedHashMap<>();
        specs.forEach(spec -> urls.put(spec.name(), spec.url()));
        return urls;
    }

    /** Fails, naming the jar, when a service is not built: called before anything starts. */
    public void checkBuilt() {
        for (ServiceSpec s : specs) {
            if (!Files.exists(s.jar(root))) {
                throw new StackException(s.title() + " is not built (no " + s.jar(root) + "); build it with: mvn -DskipTests install");
            }
        }
    }

    /** Starts every service not running yet and waits until each is ready; stops what it started on failure. */
    public void up(StackEndpoints endpoints) throws IOException, InterruptedException {
        checkBuilt();
        List<ServiceSpec> toStart = new ArrayList<>();
        for (ServiceSpec s : specs) {
            ManagedProcess p = process(s);
            if (p.running().isPresent()) {
                out.printf("%-20s already running (pid %d)%n", s.title(), p.running().get().pid());
                continue;
            }
            p.clearStalePidFile();
            if (!LocalStack.portFree(s.port())) {
                throw new StackException("port " + s.port() + " needed by the " + s.title() + " is in use; choose other service ports with --service-port");
            }
            toStart.add(s);
        }
        List<ServiceSpec> started = new ArrayList<>();
        try {
            for (ServiceSpec s : toStart) {
                Path state = home.resolve("services").resolve(s.name());
                Files.createDirectories(state);
                long pid = process(s).start(Path.of(System.getProperty("java.home"), "bin", "java"), arguments(s), state,
                        environment(s, endpoints, state)).pid();
                started.add(s);
                out.printf("%-20s starting (pid %d) on %s%n", s.title(), pid, s.url());
            }
            for (ServiceSpec s : toStart) {
                awaitReady(s);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (ServiceSpec s : started) {
                process(s).stop(Duration.ofSeconds(20));
            }
            throw e;
        }
    }

    private List<String> arguments(ServiceSpec s) {
        return List.of("-Xmx" + s.heap(), "-XX:+UseG1GC", "-Dai.djl.offline=true", "-Dquarkus.http.port=" + s.port(),
                "-jar", s.jar(root).toAbsolutePath().toString());
    }

    private Map<String, String> environment(ServiceSpec s, StackEndpoints endpoints, Path state) {
        Map<String, String> env = new HashMap<>(endpoints.asEnvironment());
        env.put("SPIN_STATE_DIR", state.toAbsolutePath().toString());
        env.put("SPIN_DATA_DIR", root.toAbsolutePath().toString());
        env.put("SPIN_INSTANCE_ID", s.name());
        if (endpoints.kafkaUser() != null) {
            // each service as its own principal, allowed only its role; the topics are the stack's (./spin up made them)
            String user = KafkaUsers.of(s).user();
            env.put(io.spin.contract.KafkaCredentials.USER, user);
            env.put(io.spin.contract.KafkaCredentials.PASSWORD, KafkaUsers.password(endpoints.kafkaPassword(), user));
            env.put("SPIN_CREATE_TOPICS", "false");
        }
        if (s.name().equals("orchestrator")) {
            env.put(ApiToken.VARIABLE, apiToken);
        }
        env.putAll(extraEnv);
        if (s.module().equals("generator-service") && generatorThreads > 0) {
            env.put("SPIN_GENERATOR_THREADS", Integer.toString(generatorThreads));
        }
        env.putIfAbsent("DJL_CACHE_DIR", System.getenv().getOrDefault("DJL_CACHE_DIR", System.getProperty("user.home") + "/.djl.ai"));
        return env;
    }

    private void awaitReady(ServiceSpec s) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        ManagedProcess p = process(s);
        while (System.nanoTime() < deadline) {
            if (p.running().isEmpty()) {
                throw new StackException(s.title() + " exited during start-up; last lines of " + p.logFile() + ":\n" + p.tail(30));
            }
            if (ready(s)) {
                out.printf("%-20s ready at %s%n", s.title(), s.url());
                return;
            }
            Thread.sleep(500);
        }
        throw new StackException(s.title() + " was not ready within " + START_TIMEOUT.toSeconds() + " s; last lines of "
                + p.logFile() + ":\n" + p.tail(30));
    }

    private static boolean ready(ServiceSpec s) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(s.url() + "/q/health/ready")).timeout(Duration.ofSeconds(3)).build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops every service, newest first; returns how many were running. */
    public int down() throws IOException {
        int stopped = 0;
        // every name a service may have had: a single generator is "generator", replicas are "generator-N"
        Map<String, ServiceSpec> byName = new java.util.LinkedHashMap<>();
        ServiceSpec.defaults(specs.get(0).port(), 1).forEach(s -> byName.put(s.name(), s));
        ServiceSpec.defaults(specs.get(0).port(), 16).forEach(s -> byName.putIfAbsent(s.name(), s));
        List<ServiceSpec> all = new ArrayList<>(byName.values());
        for (int i = all.size() - 1; i >= 0; i--) {
            if (process(all.get(i)).stop(Duration.ofSeconds(30))) {
                out.printf("%-20s stopped%n", all.get(i).title());
                stopped++;
            }
        }
        return stopped;
    }

    /** Prints one line per service; returns true when all are ready. */
    public boolean status() {
        boolean allReady = true;
        for (ServiceSpec s : specs) {
            var handle = process(s).running();
            boolean ok = handle.isPresent() && ready(s);
            allReady &= ok;
            out.printf("%-20s %-28s %-8s %s%n", s.title(), s.url(), handle.map(h -> "pid " + h.pid()).orElse("-"),
                    handle.isEmpty() ? "stopped" : ok ? "ready" : "NOT READY (see " + process(s).logFile() + ")");
        }
        return allReady;
    }

    /** Stops one service abruptly (SIGKILL, as kill -9) and waits until it is gone, for fault tests. */
    public void kill(String name) throws Exception {
        var handle = specs.stream().filter(s -> s.name().equals(name)).findFirst().flatMap(s -> process(s).running());
        if (handle.isPresent()) {
            handle.get().destroyForcibly();
            handle.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private ManagedProcess process(ServiceSpec s) {
        return new ManagedProcess(home, s.name());
    }
}
