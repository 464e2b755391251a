package io.spin.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The one stack a test JVM uses. When SPIN_KAFKA_BOOTSTRAP and friends are set (as .ci/run does after
 * {@code ./spin up}) it reuses that stack; otherwise it starts a private stack on free ports in a temporary
 * folder on first use and stops it when the JUnit session (or the JVM) ends.
 */
public final class SharedStack {
    private static StackEndpoints endpoints;
    private static LocalStack owned;

    private SharedStack() {
    }

    public static synchronized StackEndpoints endpoints() {
        if (endpoints != null) {
            return endpoints;
        }
        Map<String, String> env = System.getenv();
        StackEndpoints given = StackEndpoints.fromEnvironment(env);
        if (given != null) {
            endpoints = given.actAsThisProcess();
            return endpoints;
        }
        try {
            Path home = Files.createTempDirectory("spin-test-stack-");
            owned = new LocalStack(StackSettings.freePorts(home, Dist.locate(env)), env, System.out);
            Runtime.getRuntime().addShutdownHook(new Thread(SharedStack::stop, "spin-test-stack-stop"));
            endpoints = owned.up().actAsThisProcess();
            return endpoints;
        } catch (IOException e) {
            throw new StackException("could not start the test stack: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while starting the test stack", e);
        }
    }

    /** Stops the stack this JVM started, if any, and deletes its folder. */
    public static synchronized void stop() {
        if (owned == null) {
            return;
        }
        try {
            owned.down();
            try (Stream<Path> files = Files.walk(owned.settings().home())) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("could not stop the test stack cleanly: " + e);
        } finally {
            owned = null;
            endpoints = null;
        }
    }
}
