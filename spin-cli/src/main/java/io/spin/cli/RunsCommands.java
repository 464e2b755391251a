package io.spin.cli;

import io.spin.stack.LocalServices;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Looking at and steering runs and services: runs, cancel, logs, open. */
final class RunsCommands {
    private RunsCommands() {
    }

    private static RunClient client(SpinCli parent, String orchestrator) {
        return new RunClient(orchestrator != null ? orchestrator : parent.services(1).orchestratorUrl(), null, System.out);
    }

    @Command(name = "runs", description = "The runs, newest first: id, status, phase, progress, requested at.")
    static final class Runs implements Callable<Integer> {
        @CommandLine.ParentCommand
        SpinCli parent;
        @Option(names = "--limit", defaultValue = "20", description = "At most this many (default 20, at most 1000).")
        int limit;
        @Option(names = "--orchestrator", description = "Orchestrator URL (default: the local one).")
        String orchestrator;

        @Override
        public Integer call() throws Exception {
            if (limit < 1 || limit > 1000) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--limit must be 1..1000, not " + limit);
            }
            JsonNode runs = client(parent, orchestrator).list(limit);
            System.out.printf("%-24s %-10s %-12s %-22s %s%n", "RUN", "STATUS", "PHASE", "PROGRESS", "REQUESTED");
            for (JsonNode r : runs) {
                JsonNode p = r.path("progress");
                String progress = p.path("iteration").isNumber()
                        ? "iteration " + (p.path("iteration").asInt() + 1) + "/" + p.path("iterations").asInt() : "";
                System.out.printf("%-24s %-10s %-12s %-22s %s%n", r.path("runId").asText(), r.path("status").asText(),
                        p.path("phase").asText(""), progress, r.path("requestedAt").asText());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "cancel", description = "Cancel a run (exit 3 when there is no such run).")
    static final class Cancel implements Callable<Integer> {
        @CommandLine.ParentCommand
        SpinCli parent;
        @Parameters(paramLabel = "RUN", description = "The run's id.")
        String runId;
        @Option(names = "--orchestrator", description = "Orchestrator URL (default: the local one).")
        String orchestrator;

        @Override
        public Integer call() throws Exception {
            JsonNode run = client(parent, orchestrator).cancel(runId);
            System.out.println("run " + runId + ": cancel requested (" + run.path("status").asText() + ")");
            return ExitCodes.OK;
        }
    }

    @Command(name = "logs", description = "Print a local service's or stack component's log; -f follows it.")
    static final class Logs implements Callable<Integer> {
        @CommandLine.ParentCommand
        SpinCli parent;
        @Parameters(paramLabel = "SERVICE", description = "orchestrator, generator, generator-2, ..., pair-builder, trainer, kafka, registry, s3.")
        String service;
        @Option(names = {"-f", "--follow"}, description = "Keep printing what is appended, until interrupted.")
        boolean follow;
        @Option(names = {"-n", "--lines"}, defaultValue = "100", description = "Start with the last N lines (default 100; 0 = all).")
        int lines;

        @Override
        public Integer call() throws Exception {
            Path logs = parent.stackHome().resolve("logs");
            Path file = logs.resolve(service + ".log");
            if (!Files.exists(file)) {
                String known;
                try (var list = Files.list(logs)) {
                    known = String.join(", ", list.map(p -> p.getFileName().toString().replaceFirst("\\.log$", "")).sorted().toList());
                } catch (java.io.IOException e) {
                    known = "none yet";
                }
                throw new RunClient.NotFound("no log of '" + service + "' in " + logs + " (known: " + known + ")");
            }
            java.util.List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            all.subList(lines == 0 ? 0 : Math.max(0, all.size() - lines), all.size()).forEach(System.out::println);
            if (follow) {
                try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                    long position = Files.size(file);
                    while (!Thread.currentThread().isInterrupted()) {
                        long size = Files.size(file);
                        if (size < position) {
                            position = 0; // the log was replaced: a restarted component
                        }
                        if (size > position) {
                            in.seek(position);
                            byte[] chunk = new byte[(int) (size - position)];
                            in.readFully(chunk);
                            System.out.print(new String(chunk, StandardCharsets.UTF_8));
                            System.out.flush();
                            position = size;
                        }
                        Thread.sleep(250);
                    }
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "open", description = "Print the dashboard's URL (a run's page with RUN) and the API's, OpenAPI's and metrics' URLs;"
            + " --browser opens the dashboard in this desktop's browser.")
    static final class Open implements Callable<Integer> {
        @CommandLine.ParentCommand
        SpinCli parent;
        @Parameters(arity = "0..1", paramLabel = "RUN", description = "A run: open its page.")
        String runId;
        @Option(names = "--browser", description = "Open it with xdg-open.")
        boolean browser;

        @Override
        public Integer call() throws Exception {
            LocalServices services = parent.services(1);
            String dashboard = services.orchestratorUrl() + "/" + (runId == null ? ""
                    : "run.html?id=" + java.net.URLEncoder.encode(runId, StandardCharsets.UTF_8));
            System.out.println("dashboard: " + dashboard);
            System.out.println("runs API:  " + services.orchestratorUrl() + "/runs");
            System.out.println("OpenAPI:   " + services.orchestratorUrl() + "/q/openapi  (Swagger UI: /q/swagger-ui)");
            services.metricsUrls().forEach((name, url) -> System.out.println("metrics:   " + url + "  (" + name + ")"));
            if (!browser) {
                return ExitCodes.OK;
            }
            try {
                int exit = new ProcessBuilder("xdg-open", dashboard).inheritIO().start().waitFor();
                return exit == 0 ? ExitCodes.OK : ExitCodes.ERROR;
            } catch (java.io.IOException e) {
                System.err.println("spin: cannot open a browser here (no xdg-open); open " + dashboard + " yourself");
                return ExitCodes.ERROR;
            }
        }
    }
}
