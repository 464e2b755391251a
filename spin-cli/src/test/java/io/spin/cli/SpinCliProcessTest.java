package io.spin.cli;

import io.spin.stack.Dist;
import io.spin.stack.LocalStack;
import io.spin.stack.StackSettings;

import io.spin.commons.stack.KafkaUsers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the real CLI in its own JVM, as a user's shell would: up, status, env, down, and the error paths. */
class SpinCliProcessTest {

    @TempDir
    Path home;

    record Result(int exitCode, String out) {
    }

    private Result spin(String... args) throws IOException, InterruptedException {
        Path dist = Dist.locate(Map.of());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-Dspin.dist=" + dist, "-Dspin.root=" + home,
                "-cp", Path.of("target/classes").toAbsolutePath() + ":" + Path.of("target/lib").toAbsolutePath() + "/*" + reactorClasspath(),
                "io.spin.cli.SpinCli", "--home", home.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(4, TimeUnit.MINUTES), "spin " + String.join(" ", args) + " hung");
        return new Result(process.exitValue(), out);
    }

    /**
     * The reactor's own modules as this test JVM sees them: target/lib receives their jars only at `package`, after
     * the tests; everything else the CLI needs must come from target/lib alone.
     */
    private static String reactorClasspath() {
        StringBuilder extra = new StringBuilder();
        for (String entry : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")).split(java.io.File.pathSeparator)) {
            // a reactor module is target/classes, or (mvn verify on a fresh clone, where nothing is installed) its packaged
            // jar in target/; an installed one is under io/spin/ of the local repository
            boolean packagedHere = entry.endsWith(".jar") && Path.of(entry).getParent() != null
                    && "target".equals(String.valueOf(Path.of(entry).getParent().getFileName()));
            if (entry.endsWith("target/classes") || entry.contains("/io/spin/") || packagedHere) {
                extra.append(java.io.File.pathSeparator).append(entry);
            }
        }
        return extra.toString();
    }

    /** Whatever a test started is stopped, even when the test failed half-way. */
    @org.junit.jupiter.api.AfterEach
    void stopWhatWasStarted() throws Exception {
        new LocalStack(StackSettings.load(home, Dist.locate(Map.of()), Map.of()), Map.of(), System.out).down();
    }

    private static boolean open(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int freePortOtherThan(int... taken) throws IOException {
        while (true) {
            int port = freePort();
            if (java.util.Arrays.stream(taken).noneMatch(t -> t == port)) {
                return port;
            }
        }
    }

    /** A port whose next port is free too: the broker's controller listens on the next port. */
    private static int freeKafkaPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freePort();
            try (ServerSocket next = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free pair of adjacent ports");
    }

    /** tools/kafka-console-consumer as the README runs it, as the stack's admin with this password. */
    private Result consoleConsumer(String kafkaPort, String password, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of("..").toAbsolutePath().normalize().resolve("tools/kafka-console-consumer").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SPIN_KAFKA_BOOTSTRAP", "127.0.0.1:" + kafkaPort);
        builder.environment().put("SPIN_KAFKA_USER", KafkaUsers.ADMIN);
        builder.environment().put("SPIN_KAFKA_PASSWORD", password);
        builder.environment().put("SPIN_DIST", Dist.locate(Map.of()).toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the console consumer hung");
        return new Result(process.exitValue(), out);
    }

    /** Options for a stack without services on free ports, no two alike (the controller takes Kafka's port + 1). */
    private static String[] stackOnFreePorts() throws IOException {
        int kafka = freeKafkaPort();
        int registry = freePortOtherThan(kafka + 1);
        return new String[] {"--no-services", "--kafka-port", "" + kafka, "--registry-port", "" + registry,
                "--s3-port", "" + freePortOtherThan(kafka + 1, registry)};
    }

    @Test
    void upInsecureTakesAnyoneAndTheModeCannotChangeUnderARunningStack() throws Exception {
        String[] ports = stackOnFreePorts();
        int kafka = Integer.parseInt(ports[2]);
        try {
            Result up = spin(concat("up", concat("--insecure", ports)));
            assertEquals(0, up.exitCode(), up.out());
            assertTrue(up.out().contains("INSECURE: no authentication, no ACLs"), up.out());
            try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + kafka))) {
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("spin.control"), "an anonymous client gets in");
            }
            assertFalse(spin("env").out().contains("SPIN_KAFKA_USER"), "no Kafka user to give clients");
            Result secure = spin(concat("up", ports));
            assertEquals(ExitCodes.ERROR, secure.exitCode(), secure.out());
            assertTrue(secure.out().contains("the stack is running without security; stop it first (./spin down)"), secure.out());
        } finally {
            spin("down");
        }
    }

    @Test
    void upStatusDownOpensThenClosesEveryPortAndLeavesNoProcess() throws Exception {
        int kafka = freeKafkaPort();
        int registry = freePortOtherThan(kafka + 1);
        int s3 = freePortOtherThan(kafka + 1, registry);
        String[] ports = {"--no-services", "--kafka-port", "" + kafka, "--registry-port", "" + registry, "--s3-port", "" + s3};
        Result up = spin(concat("up", ports));
        assertEquals(0, up.exitCode(), up.out());
        assertTrue(open(kafka) && open(registry) && open(s3), "all ports open after up");
        List<Long> pids = new LocalStack(StackSettings.load(home, Dist.locate(Map.of()), Map.of()), Map.of(), System.out).runningPids();
        assertEquals(3, pids.size());

        Result again = spin(concat("up", ports));
        assertEquals(0, again.exitCode(), again.out());
        assertTrue(again.out().contains("already running"), again.out());

        Result status = spin("status", "--no-services");
        assertEquals(0, status.exitCode(), status.out());
        assertEquals(3, status.out().lines().filter(l -> l.contains("healthy")).count(), status.out());
        assertTrue(spin("env").out().contains("export SPIN_KAFKA_BOOTSTRAP='127.0.0.1:" + kafka + "'"));

        Result down = spin("down");
        assertEquals(0, down.exitCode(), down.out());
        assertFalse(open(kafka) || open(registry) || open(s3), "all ports closed after down");
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " left behind");
        }
        Result stopped = spin("status", "--no-services");
        assertEquals(3, stopped.exitCode(), "status exits 3 when the stack is down: " + stopped.out());
        assertEquals(3, stopped.out().lines().filter(l -> l.contains("stopped")).count(), stopped.out());
    }

    /**
     * After a secured {@code up}: the home is the user's alone (700), every file that holds a secret is mode 600, and
     * no secret is on any process's command line (the admin's password once was, on the storage format's).
     */
    @Test
    void afterUpNoSecretShowsInAProcessListingOrInAFileOthersMayRead() throws Exception {
        String[] ports = stackOnFreePorts();
        try {
            Result up = spin(concat("up", ports));
            assertEquals(0, up.exitCode(), up.out());
            java.util.Properties credentials = new java.util.Properties();
            try (var in = Files.newBufferedReader(home.resolve("credentials.properties"))) {
                credentials.load(in);
            }
            String admin = credentials.getProperty("kafkaAdminPassword");
            List<String> secrets = new ArrayList<>(List.of(admin, credentials.getProperty("secretKey"),
                    KafkaUsers.password(admin, KafkaUsers.REGISTRY_DEPLOYER)));
            for (var principal : io.spin.contract.ServicePrincipal.values()) {
                secrets.add(KafkaUsers.password(admin, principal.user()));
            }
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(home)));

            Process ps = new ProcessBuilder("ps", "-eww", "-o", "pid=,args=").redirectErrorStream(true).start();
            String listing = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(ps.waitFor(30, TimeUnit.SECONDS) && listing.contains("kafka.Kafka"), "ps lists the broker: " + listing);
            for (String secret : secrets) {
                assertFalse(listing.contains(secret), "a secret is on a command line:\n" + listing.lines()
                        .filter(l -> l.contains(secret)).map(l -> l.replace(secret, "<SECRET>")).toList());
            }

            List<Path> holding = new ArrayList<>();
            try (var files = Files.walk(home)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    if (secrets.stream().anyMatch(text::contains)) {
                        holding.add(file);
                        var mode = Files.getPosixFilePermissions(file);
                        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(mode),
                                home.relativize(file) + " holds a secret");
                    }
                }
            }
            List<String> names = holding.stream().map(f -> home.relativize(f).toString()).toList();
            assertTrue(names.containsAll(List.of("credentials.properties", "endpoints.properties", "kafka/server.properties")), names.toString());
            assertFalse(Files.exists(home.resolve("kafka/format.args")), "the format's argument file is gone");

            // a standard client logs in with these credentials: Kafka's own console consumer (README's command)
            Result read = consoleConsumer(ports[2], admin, "--topic", "spin.runs", "--from-beginning", "--timeout-ms", "3000");
            assertEquals(0, read.exitCode(), read.out());
            assertTrue(read.out().contains("Processed a total of"), read.out());
            Result refused = consoleConsumer(ports[2], "wrong", "--topic", "spin.runs", "--timeout-ms", "3000");
            assertTrue(refused.out().contains("Authentication failed"), refused.out());
        } finally {
            spin("down");
        }
    }

    @Test
    void badOptionValuesAreRefusedNamingTheOptionAndEachFailureHasItsExitCode() throws Exception {
        Result beta = spin("run", "--train", "data/x.jsonl", "--beta", "0.1,x");
        assertEquals(ExitCodes.USAGE, beta.exitCode(), beta.out());
        assertTrue(beta.out().contains("Invalid value for option '--beta'") && beta.out().contains("'x' is not a double"), beta.out());
        Result format = spin("export", "pairs", "--run", "r", "--iteration", "0", "--format", "xyz");
        assertEquals(ExitCodes.USAGE, format.exitCode(), format.out());
        assertTrue(format.out().contains("Invalid value for option '--format': expected one of [FULL, TRL]"), format.out());
        Result missing = spin("export", "samples", "--run", "r");
        assertEquals(ExitCodes.USAGE, missing.exitCode(), missing.out());
        assertTrue(missing.out().contains("Missing required option: '--iteration=<iteration>'"), missing.out());
        assertEquals(ExitCodes.USAGE, spin("export").exitCode());
        Result logs = spin("logs", "trainer");
        assertEquals(ExitCodes.NOT_FOUND, logs.exitCode(), logs.out());
        assertTrue(logs.out().contains("spin: no log of 'trainer' in " + home.resolve("logs")), logs.out());
        Result runs = spin("runs", "--orchestrator", "http://127.0.0.1:" + freePort());
        assertEquals(ExitCodes.ERROR, runs.exitCode(), runs.out());
        assertTrue(runs.out().contains("spin: no orchestrator at http://127.0.0.1:"), runs.out());
        Result limit = spin("runs", "--limit", "0");
        assertEquals(ExitCodes.USAGE, limit.exitCode(), limit.out());
        Result open = spin("open", "run-x");
        assertEquals(ExitCodes.OK, open.exitCode(), open.out());
        assertTrue(open.out().lines().anyMatch(l -> l.matches("dashboard: http://127\\.0\\.0\\.1:\\d+/run\\.html\\?id=run-x")), open.out());
    }

    @Test
    void aPortInUseIsNamedWithTheSettingThatChangesItAndNothingStarts() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Result up = spin("up", "--no-services", "--kafka-port", "" + freeKafkaPort(), "--registry-port", "" + freePortOtherThan(busy.getLocalPort()),
                    "--s3-port", "" + busy.getLocalPort());
            assertEquals(1, up.exitCode(), up.out());
            assertTrue(up.out().contains("port " + busy.getLocalPort()) && up.out().contains("--s3-port or SPIN_S3_PORT"), up.out());
            assertFalse(up.out().contains("starting"), "nothing may start when a port is taken: " + up.out());
        }
    }

    @Test
    void aStalePidFileIsNotMistakenForARunningComponent() throws Exception {
        Files.createDirectories(home.resolve("pids"));
        // a live pid that is not ours: this test JVM
        Files.writeString(home.resolve("pids/kafka.pid"), Long.toString(ProcessHandle.current().pid()));
        Result status = spin("status", "--no-services");
        assertEquals(3, status.exitCode(), status.out());
        assertTrue(status.out().lines().anyMatch(l -> l.startsWith("Kafka broker") && l.contains("stopped")), status.out());
        Result down = spin("down");
        assertTrue(down.out().contains("nothing was running"), down.out());
        assertTrue(ProcessHandle.current().isAlive());
    }

    @Test
    void servicesThatAreNotBuiltAreReportedBeforeAnythingStarts() throws Exception {
        // spin.root is the empty temporary home: no service is built there
        Result up = spin("up", "--kafka-port", "" + freeKafkaPort(), "--registry-port", "" + freePort(), "--s3-port", "" + freePort());
        assertEquals(1, up.exitCode(), up.out());
        assertTrue(up.out().contains("is not built"), up.out());
        assertFalse(up.out().contains("starting"), "nothing may start when a service is missing: " + up.out());
    }

    private static String[] concat(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
