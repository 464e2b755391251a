package io.spin.stack;

import io.spin.commons.stack.StackEndpoints;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The one stack a test JVM uses. When SPIN_KAFKA_BOOTSTRAP and friends are set (a developer's {@code ./spin up} and
 * {@code eval "$(./spin env)"}) it reuses that stack; otherwise it starts a private stack on free ports in a temporary
 * folder on first use and stops it when the JUnit session (or the JVM) ends.
 *
 * <p>One per JVM, not one per class loader: Quarkus loads this class again for every test profile's application, and a
 * second copy used to start a second stack while the process's Kafka credentials ({@link StackEndpoints#actAsThisProcess}, JVM-wide
 * system properties) still named the first one's admin, so the next {@code @QuarkusTest} failed SCRAM authentication.
 * Every copy therefore asks the system class loader's copy, the one {@link SharedStackSessionListener} stops; only
 * {@code java.*} types cross between the loaders.
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
        Class<?> root = jvmCopy();
        if (root != SharedStack.class) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, String> shared = (Map<String, String>) root.getMethod("endpointsAsEnvironment").invoke(null);
                endpoints = StackEndpoints.fromEnvironment(shared).actAsThisProcess();
                return endpoints;
            } catch (ReflectiveOperationException e) {
                throw new StackException("could not reach the test JVM's shared stack: " + e, e);
            }
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

    /** The endpoints as {@code SPIN_*} variables: how copies of this class in other class loaders get them. */
    public static Map<String, String> endpointsAsEnvironment() {
        return endpoints().asEnvironment();
    }

    /** This class as the system class loader has it, or this copy where that loader does not see the class. */
    private static Class<?> jvmCopy() {
        try {
            return Class.forName(SharedStack.class.getName(), true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException notOnTheClassPath) {
            return SharedStack.class;
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
