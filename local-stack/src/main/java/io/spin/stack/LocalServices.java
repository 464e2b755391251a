package io.spin.stack;

import io.spin.commons.stack.PrivateFiles;

import io.spin.commons.stack.KafkaUsers;

import io.spin.commons.stack.StackEndpoints;

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
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
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

    /** Runs the services as containers from ./spin images' images (as ./spin up --containers does) from now on. */
    public LocalServices inContainers() throws IOException {
        PrivateFiles.directory(home);
        Files.writeString(home.resolve(LocalStack.CONTAINERS), "services in containers\n");
        return this;
    }

    private void warnOfStaleImages() throws IOException {
        if (!LocalStack.inContainers(home)) {
            return;
        }
        SpinImages images = new SpinImages(System.getenv());
        for (String module : specs.stream().map(ServiceSpec::module).distinct().toList()) {
            if (!new ServiceImage(module, images.service(module), images.base(), false).upToDate(root)) {
                out.printf("%-20s WARNING: %s is older than its sources; ./spin images rebuilds it%n", module, images.service(module));
            }
        }
    }

    /** Why the services cannot run as containers here (no daemon, an image not built), or null when they can. */
    public static String whyNoContainers() throws IOException {
        SpinImages images = new SpinImages(System.getenv());
        try {
            for (String module : SpinImages.SERVICES) {
                StackContainers.requireImage(images.service(module)); // the check ./spin up --containers makes
            }
            return null;
        } catch (StackException e) {
            return e.getMessage();
        }
    }

    /** The container of a running service as `docker inspect` describes it (JSON), for tests of how it runs. */
    public String inspectContainer(String name) throws IOException {
        return Docker.check(java.util.List.of("inspect", ContainerCommand.name(home, name)), Duration.ofSeconds(30));
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

    /** Each service's Prometheus metrics, on its management port. */
    public Map<String, String> metricsUrls() {
        Map<String, String> urls = new java.util.LinkedHashMap<>();
        specs.forEach(spec -> urls.put(spec.name(), spec.metricsUrl()));
        return urls;
    }

    /** Fails, naming the jar, when a service is not built: called before anything starts. */
    public void checkBuilt() throws IOException {
        if (LocalStack.inContainers(home)) {
            SpinImages images = new SpinImages(System.getenv());
            for (String module : specs.stream().map(ServiceSpec::module).distinct().toList()) {
                StackContainers.requireImage(images.service(module));
            }
            return;
        }
        for (ServiceSpec s : specs) {
            if (!Files.exists(s.jar(root))) {
                throw new StackException(s.title() + " is not built (no " + s.jar(root) + "); build it with: mvn -DskipTests install");
            }
        }
    }

    /** Starts every service not running yet and waits until each is ready; stops what it started on failure. */
    public void up(StackEndpoints endpoints) throws IOException, InterruptedException {
        checkBuilt();
        warnOfStaleImages();
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
        long startedAt = System.nanoTime();
        try {
            for (ServiceSpec s : toStart) {
                Path state = home.resolve("services").resolve(s.name());
                Files.createDirectories(state);
                ManagedProcess process = process(s);
                long pid = LocalStack.inContainers(home)
                        ? process.start(new ServiceContainers(home, root, new SpinImages(System.getenv()))
                                .of(s, endpoints, apiToken, containerOverrides(s), process.marker()), home).pid()
                        : process.start(Path.of(System.getProperty("java.home"), "bin", "java"), arguments(s), state,
                                environment(s, endpoints, state)).pid();
                started.add(s);
                out.printf("%-20s starting (pid %d) on %s%n", s.title(), pid, s.url());
            }
            for (ServiceSpec s : toStart) {
                awaitReady(s, startedAt);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (ServiceSpec s : started) {
                process(s).stop(Duration.ofSeconds(20));
            }
            throw e;
        }
    }

    private List<String> arguments(ServiceSpec s) {
        return List.of("-Xmx" + s.heap(), "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-Dai.djl.offline=true", "-Dquarkus.http.port=" + s.port(),
                "-Dquarkus.management.port=" + s.managementPort(),
                "-jar", s.jar(root).toAbsolutePath().toString());
    }

    private Map<String, String> environment(ServiceSpec s, StackEndpoints endpoints, Path state) {
        Map<String, String> env = new HashMap<>(endpoints.asEnvironment());
        env.put("SPIN_STATE_DIR", state.toAbsolutePath().toString());
        env.put("SPIN_DATA_DIR", root.toAbsolutePath().toString());
        env.put("SPIN_INSTANCE_ID", s.name());
        if (endpoints.kafkaUser() != null) {
            // each service as its own principal, allowed only its role; the topics are the stack's (./spin up made them)
            String user = s.principal().user();
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

    /** What the tests and options change over k8s/base's values, for one service's container. */
    private Map<String, String> containerOverrides(ServiceSpec s) {
        Map<String, String> env = new HashMap<>(extraEnv);
        if (s.module().equals("generator-service") && generatorThreads > 0) {
            env.put("SPIN_GENERATOR_THREADS", Integer.toString(generatorThreads));
        }
        return env;
    }

    private void awaitReady(ServiceSpec s, long startedAt) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        ManagedProcess p = process(s);
        while (System.nanoTime() < deadline) {
            if (p.running().isEmpty()) {
                throw new StackException(s.title() + " exited during start-up; last lines of " + p.logFile() + ":\n" + p.tail(30));
            }
            if (ready(s)) {
                out.printf("%-20s ready at %s (%.1f s after start)%n", s.title(), s.url(), (System.nanoTime() - startedAt) / 1e9);
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
        for (ServiceSpec s : withRunningReplicas()) {
            var handle = process(s).running();
            boolean ok = handle.isPresent() && ready(s);
            allReady &= ok;
            out.printf("%-20s %-28s %-8s %s%n", s.title(), s.url(), handle.map(h -> "pid " + h.pid()).orElse("-"),
                    handle.isEmpty() ? "stopped" : ok ? "ready" : "NOT READY (see " + process(s).logFile() + ")");
        }
        return allReady;
    }

    /** These services, with the generator replicas that run instead (up --generators N names them generator-1..N). */
    private List<ServiceSpec> withRunningReplicas() {
        List<ServiceSpec> replicas = ServiceSpec.defaults(specs.get(0).port(), 16).stream()
                .filter(s -> s.module().equals("generator-service") && process(s).running().isPresent()).toList();
        if (replicas.isEmpty() || specs.stream().anyMatch(s -> s.module().equals("generator-service") && process(s).running().isPresent())) {
            return specs;
        }
        List<ServiceSpec> shown = new ArrayList<>(specs.stream().filter(s -> !s.module().equals("generator-service")).toList());
        shown.addAll(replicas);
        return shown;
    }

    /** Stops one service abruptly (SIGKILL, as kill -9) and waits until it is gone, for fault tests. */
    public void kill(String name) throws Exception {
        var spec = specs.stream().filter(s -> s.name().equals(name)).findFirst();
        if (spec.isPresent()) {
            process(spec.get()).kill();
        }
    }

    private ManagedProcess process(ServiceSpec s) {
        return new ManagedProcess(home, s.name());
    }
}
