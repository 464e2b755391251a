package io.spin.stack;

import io.spin.commons.stack.StackEndpoints;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One server process of the local stack: how to configure, launch and health-check it. */
interface Component {
    /** Short name used for pid and log files and in messages. */
    String name();

    /** Human-readable name, e.g. "Kafka broker". */
    String title();

    /** Each port it binds, with the option and variable that change it (for the "port in use" message). */
    Map<Integer, String> ports(StackSettings settings);

    /** What users connect to. */
    String endpoint(StackSettings settings);

    /** Writes configuration and initialises storage; safe to call again on an existing home. */
    void prepare(StackSettings settings, Path dir, StackEndpoints endpoints) throws IOException;

    Path java(Map<String, String> env);

    /** JVM options and main class or -jar, without the java executable. */
    List<String> arguments(StackSettings settings, Path dir);

    default Map<String, String> environment() {
        return Map.of();
    }

    Duration startTimeout();

    /** The image it runs from with ./spin up --containers (built by ./spin images). */
    String image(SpinImages images);

    /** A cheap readiness probe; false or an exception means not (yet) healthy. */
    boolean healthy(StackSettings settings, StackEndpoints endpoints) throws Exception;
}
