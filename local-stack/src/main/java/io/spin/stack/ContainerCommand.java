package io.spin.stack;

import io.spin.commons.stack.PrivateFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code docker run} of the stack: in the foreground (the docker client is the process the stack tracks; it
 * passes SIGTERM on to the container), on the host's network, with a read-only root, removed when it stops.
 */
public record ContainerCommand(String name, String image, String user, Map<String, String> volumes, Path envFile, Path workDir,
                        String memory, String marker, List<String> command) {

    /** Containers of one stack home share this prefix, so down and the tests find exactly them. */
    static String name(Path home, String component) {
        return "spin-" + component + "-" + Integer.toHexString(home.toAbsolutePath().normalize().toString().hashCode());
    }

    public static final String HOME_LABEL = "io.spin.stack.home";

    List<String> toArguments(Path home) {
        List<String> args = new ArrayList<>(List.of(Docker.executable(), "run", "--rm", "--name", name,
                "--label", HOME_LABEL + "=" + home.toAbsolutePath().normalize(),
                // the marker ties the docker client's pid to this home and component, as it does for a plain java process
                "--label", "io.spin.marker=" + marker,
                "--network", "host", "--user", user, "--read-only", "--stop-timeout", "25"));
        if (!volumes.containsValue("/tmp")) {
            args.addAll(List.of("--tmpfs", "/tmp"));
        }
        volumes.forEach((host, container) -> args.addAll(List.of("--volume", host + ":" + container)));
        if (envFile != null) {
            args.addAll(List.of("--env-file", envFile.toString()));
        }
        if (workDir != null) {
            args.addAll(List.of("--workdir", workDir.toString()));
        }
        if (memory != null) {
            args.addAll(List.of("--memory", memory));
        }
        args.add(image);
        args.addAll(command);
        return args;
    }

    /** A container's variables as docker's --env-file reads them (one NAME=value a line), readable by the user only: they hold passwords. */
    static Path envFile(Path file, Map<String, String> env) throws java.io.IOException {
        StringBuilder lines = new StringBuilder();
        env.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        return PrivateFiles.writeString(file, lines.toString());
    }

    static Map<String, String> sameVolume(Path dir) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put(dir.toAbsolutePath().toString(), dir.toAbsolutePath().toString());
        return v;
    }
}
