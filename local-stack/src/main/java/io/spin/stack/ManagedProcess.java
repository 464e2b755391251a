package io.spin.stack;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One OS process of the stack, tracked by a pid file. A marker system property in its command line ties the pid to
 * this stack home and component, so a stale pid file (the pid reused by another program) is never mistaken for ours.
 */
final class ManagedProcess {
    private final String name;
    private final Path pidFile;
    private final Path logFile;
    private final String marker;
    /** The marker of CLIs before 2026-12-07, so a stack they started is still found (and stopped) after an upgrade. */
    private final String olderMarker;

    ManagedProcess(Path home, String name) {
        this.name = name;
        this.pidFile = home.resolve("pids").resolve(name + ".pid");
        this.logFile = home.resolve("logs").resolve(name + ".log");
        // not under spin.*: a service refuses spin.* keys its configuration does not know
        this.marker = "-Dspin-stack=" + home.toAbsolutePath().normalize() + "#" + name;
        this.olderMarker = "-Dspin.stack=" + home.toAbsolutePath().normalize() + "#" + name;
    }

    Path logFile() {
        return logFile;
    }

    /** The live process of this component, if its pid file names one that carries our marker. */
    Optional<ProcessHandle> running() {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::isOurs);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Removes a pid file whose process is gone or is not ours; returns whether it did. */
    boolean clearStalePidFile() throws IOException {
        if (Files.exists(pidFile) && running().isEmpty()) {
            Files.delete(pidFile);
            return true;
        }
        return false;
    }

    private boolean isOurs(ProcessHandle handle) {
        try {
            Path cmdline = Path.of("/proc", Long.toString(handle.pid()), "cmdline");
            if (Files.isReadable(cmdline)) {
                String line = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
                return line.contains(marker) || line.contains(olderMarker);
            }
        } catch (IOException e) {
            return false;
        }
        return handle.info().arguments().map(args -> List.of(args).contains(marker) || List.of(args).contains(olderMarker)).orElse(false);
    }

    String marker() {
        return marker;
    }

    /** Starts {@code java [marker] args...}, output appended to the component's log. */
    ProcessHandle start(Path javaExecutable, List<String> jvmAndMainArgs, Path workDir, Map<String, String> extraEnv) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable.toString());
        command.add(marker);
        command.addAll(jvmAndMainArgs);
        return launch(command, workDir, extraEnv);
    }

    /** Starts a container in the foreground; its name is kept beside the pid so stop and kill reach the container too. */
    ProcessHandle start(ContainerCommand container, Path home) throws IOException {
        Files.createDirectories(pidFile.getParent());
        Docker.remove(container.name()); // one left by a killed client would hold the name
        Files.writeString(containerFile(), container.name());
        return launch(container.toArguments(home), home, Map.of());
    }

    private Path containerFile() {
        return pidFile.resolveSibling(name + ".container");
    }

    private ProcessHandle launch(List<String> command, Path workDir, Map<String, String> extraEnv) throws IOException {
        Files.createDirectories(pidFile.getParent());
        Files.createDirectories(logFile.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(extraEnv);
        Files.writeString(logFile, "---- " + Instant.now() + " starting: " + String.join(" ", command) + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process process = builder.start();
        Files.writeString(pidFile, Long.toString(process.pid()));
        return process.toHandle();
    }

    /** SIGTERM, then SIGKILL after the grace period; children too. Returns whether something was stopped. */
    boolean stop(Duration grace) throws IOException {
        Optional<ProcessHandle> handle = running();
        if (handle.isPresent()) {
            List<ProcessHandle> family = new ArrayList<>(handle.get().descendants().toList());
            family.add(handle.get());
            family.forEach(ProcessHandle::destroy);
            for (ProcessHandle p : family) {
                try {
                    p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                    try {
                        p.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception ignored) {
                        // reported below if still alive
                    }
                }
            }
            if (family.stream().anyMatch(ProcessHandle::isAlive)) {
                throw new StackException(name + " (pid " + handle.get().pid() + ") did not stop even after SIGKILL");
            }
        }
        Files.deleteIfExists(pidFile);
        removeContainer();
        return handle.isPresent();
    }

    /** A container outlives its docker client when the client is killed: remove it by name. */
    private void removeContainer() throws IOException {
        if (Files.exists(containerFile())) {
            Docker.remove(Files.readString(containerFile()).trim());
            Files.delete(containerFile());
        }
    }

    /** SIGKILL, as kill -9: to the container's processes when it is one (killing its client would leave it running). */
    void kill() throws Exception {
        Optional<ProcessHandle> handle = running();
        if (Files.exists(containerFile())) {
            Docker.run(List.of("kill", Files.readString(containerFile()).trim()), Duration.ofSeconds(30));
        } else {
            handle.ifPresent(ProcessHandle::destroyForcibly);
        }
        if (handle.isPresent()) {
            handle.get().onExit().get(30, TimeUnit.SECONDS);
        }
    }

    /** Last lines of the log, for error messages. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + logFile + ")";
        }
    }
}
