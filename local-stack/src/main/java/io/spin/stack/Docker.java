package io.spin.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The docker command line, as every part of the stack that builds or runs containers calls it. */
final class Docker {
    /** SPIN_DOCKER names another client (e.g. podman's docker-compatible one); docker on the PATH otherwise. */
    static String executable() {
        return System.getenv().getOrDefault("SPIN_DOCKER", "docker");
    }

    private Docker() {
    }

    /** Whether a daemon answers (the client alone is not enough). */
    static boolean available() {
        try {
            return run(List.of("info", "--format", "{{.ServerVersion}}"), Duration.ofSeconds(20)).exit == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Fails, saying how to get one, when no daemon answers. */
    static void require() {
        if (!available()) {
            throw new StackException("no Docker daemon answers (`" + executable() + " info` failed): install Debian's docker.io "
                    + "(apt-get install docker.io) and start it (dockerd, as root), or set SPIN_DOCKER to another client");
        }
    }

    static Optional<String> imageId(String image) throws IOException {
        Result r = run(List.of("image", "inspect", "--format", "{{.Id}}", image), Duration.ofSeconds(30));
        return r.exit == 0 ? Optional.of(r.output.trim()) : Optional.empty();
    }

    /** A label of a local image; empty when the image or the label is missing. */
    static Optional<String> label(String image, String label) throws IOException {
        Result r = run(List.of("image", "inspect", "--format", "{{index .Config.Labels \"" + label + "\"}}", image), Duration.ofSeconds(30));
        String value = r.output.trim();
        return r.exit == 0 && !value.isEmpty() && !value.equals("<no value>") ? Optional.of(value) : Optional.empty();
    }

    /** Size in bytes of a local image. */
    static long size(String image) throws IOException {
        return Long.parseLong(check(List.of("image", "inspect", "--format", "{{.Size}}", image), Duration.ofSeconds(30)).trim());
    }

    /** Runs docker with these arguments; fails naming the command and showing its last output. */
    static String check(List<String> args, Duration timeout) throws IOException {
        Result r = run(args, timeout);
        if (r.exit != 0) {
            throw new StackException(executable() + " " + String.join(" ", args) + " failed (exit " + r.exit + "):\n" + tail(r.output, 30));
        }
        return r.output;
    }

    /** Removes a container whatever its state; quiet when there is none. */
    static void remove(String container) {
        try {
            run(List.of("rm", "-f", container), Duration.ofSeconds(60));
        } catch (IOException e) {
            // nothing to remove, or no daemon: nothing of ours runs then either
        }
    }

    record Result(int exit, String output) {
    }

    static Result run(List<String> args, Duration timeout) throws IOException {
        return Commands.run(command(args), null, Map.of("DOCKER_BUILDKIT", "0"), timeout);
    }

    static List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable());
        cmd.addAll(args);
        return cmd;
    }

    static String tail(String output, int lines) {
        String[] all = output.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    /** External commands with a timeout, their output read whole (short outputs only). */
    static final class Commands {
        private Commands() {
        }

        static Result run(List<String> command, Path dir, Map<String, String> env, Duration timeout) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (dir != null) {
                builder.directory(dir.toFile());
            }
            builder.environment().putAll(env);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IOException(command.get(0) + " could not be started: " + e.getMessage(), e);
            }
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = process.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            reader.start();
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new StackException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
                }
                reader.join();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.get(0), e);
            }
            return new Result(process.exitValue(), new String(out[0], StandardCharsets.UTF_8));
        }
    }
}
