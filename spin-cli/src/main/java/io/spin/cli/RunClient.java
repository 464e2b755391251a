package io.spin.cli;

import io.spin.stack.ApiToken;
import io.spin.stack.StackException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.spin.commons.DatasetCopies;
import io.spin.storage.ObjectStorage;

/**
 * The client side of a run: uploads the dataset files to object storage (so any orchestrator, local or remote, reads
 * the same bytes), submits the run, shows its progress, writes the report and prints the per-iteration table.
 */
public final class RunClient {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final String orchestrator;
    private final ObjectStorage storage;
    private final PrintStream out;

    private final String token;

    public RunClient(String orchestrator, ObjectStorage storage, PrintStream out) {
        this.orchestrator = orchestrator;
        this.token = ApiToken.forOrchestrator(orchestrator);
        this.storage = storage;
        this.out = out;
    }

    /**
     * s3:// URI of the file's bytes, uploaded under their SHA-256 as they stream from disk (in parts: a file of any size,
     * never held in memory; uploading the same file twice stores it once).
     */
    public String upload(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new StackException("no dataset file " + file);
        }
        storage.ensureBucket();
        return DatasetCopies.store(storage, file).getUri();
    }

    /** A model directory in Hugging Face layout, checked and stored as a checkpoint (see {@link HfModelUpload}). */
    public HfModelUpload.Stored importModel(Path dir) {
        storage.ensureBucket();
        try {
            return HfModelUpload.upload(storage, dir, out);
        } catch (IllegalArgumentException e) {
            throw new StackException("cannot import " + dir + ": " + e.getMessage());
        }
    }

    /** Submits; returns the run id, or throws with the orchestrator's message (e.g. the invalid field). */
    public String submit(Map<String, Object> request) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(orchestrator + "/runs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))));
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 201) {
            String field = body.path("field").asText("");
            throw new StackException("run refused (HTTP " + response.statusCode() + ")" + (field.isEmpty() ? "" : ", field " + field)
                    + ": " + body.path("message").asText(response.body()));
        }
        return body.get("runId").asText();
    }

    public JsonNode get(String runId) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(orchestrator + "/runs/" + runId)).GET());
        if (response.statusCode() == 404) {
            throw new NotFound("no run '" + runId + "'");
        }
        if (response.statusCode() != 200) {
            throw new StackException("GET /runs/" + runId + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /**
     * Follows the run's server-sent events (a report at each change) until the run ends. A stream that breaks (the
     * orchestrator restarting, a proxy's timeout) or is refused (503: too many streams) is replaced after {@code pause},
     * the run read once by GET in between, so nothing is missed. On a terminal, one line per phase, redrawn in place with
     * a progress bar as it moves; otherwise (piped, logged) a plain line whenever the phase or progress changes.
     */
    public JsonNode follow(String runId, Duration pause) throws IOException, InterruptedException {
        Progress progress = new Progress(out == System.out && System.console() != null);
        while (true) {
            JsonNode run = get(runId); // a 404 ends here; the current report even if no stream can be had
            progress.show(run);
            if (ended(run)) {
                return progress.end(run);
            }
            JsonNode last = stream(runId, progress);
            if (last != null && ended(last)) {
                return progress.end(last);
            }
            Thread.sleep(pause.toMillis());
        }
    }

    private static boolean ended(JsonNode run) {
        return !run.path("status").asText().equals("RUNNING");
    }

    /** Shows each report the run's event stream sends; returns the last one, or null when no stream could be had. */
    private JsonNode stream(String runId, Progress progress) throws InterruptedException {
        HttpRequest.Builder request = authorized(HttpRequest.newBuilder(URI.create(orchestrator + "/runs/" + runId + "/events"))
                .header("Accept", "text/event-stream").GET());
        JsonNode last = null;
        try {
            HttpResponse<java.util.stream.Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                response.body().close();
                return null;
            }
            try (java.util.stream.Stream<String> lines = response.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.startsWith("data:")) {
                        last = JSON.readTree(line.substring(5));
                        progress.show(last);
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // the stream broke: the caller reads the run and follows it again
        }
        return last;
    }

    /** What the user sees of a run's progress: a line whenever it changes. */
    private final class Progress {
        private final boolean terminal;
        private String last = "";
        private String lastPhase = "";

        Progress(boolean terminal) {
            this.terminal = terminal;
        }

        void show(JsonNode run) {
            String line = progressLine(run);
            if (line.equals(last)) {
                return;
            }
            String phase = run.path("progress").path("phase").asText() + run.path("progress").path("iteration").asText();
            if (terminal) {
                out.print((phase.equals(lastPhase) ? "\r" : lastPhase.isEmpty() ? "" : "\n") + bar(run.path("progress")) + " " + line + "\u001b[K");
                out.flush();
            } else {
                out.println(line);
            }
            last = line;
            lastPhase = phase;
        }

        JsonNode end(JsonNode run) {
            show(run);
            if (terminal) {
                out.println();
            }
            return run;
        }
    }

    /** [#####.....] of the phase's fraction done (generation: samples; training: steps). */
    static String bar(JsonNode p) {
        double done = 0;
        if (p.path("expected").asInt() > 0) {
            done = p.path("generated").asDouble() / p.path("expected").asDouble();
        } else if (p.path("trainingSteps").asInt() > 0) {
            done = p.path("trainingStep").asDouble() / p.path("trainingSteps").asDouble();
        }
        int filled = (int) Math.round(Math.min(1, Math.max(0, done)) * 20);
        return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "]";
    }

    static String progressLine(JsonNode run) {
        JsonNode p = run.path("progress");
        String phase = p.path("phase").asText();
        StringBuilder b = new StringBuilder(String.format("[%s] %-10s", run.path("runId").asText(), phase));
        if (!p.path("iteration").isNull() && !p.path("iteration").isMissingNode()) {
            b.append(String.format(" iteration %d/%d", p.path("iteration").asInt() + 1, p.path("iterations").asInt()));
        }
        if (phase.equals("GENERATING") && !p.path("expected").isNull()) {
            b.append(String.format("  generated %d/%d", p.path("generated").asInt(), p.path("expected").asInt()));
        }
        if ((phase.equals("SFT") || phase.equals("TRAINING")) && !p.path("trainingStep").isNull()) {
            b.append(String.format("  step %d/%d  loss %.4f", p.path("trainingStep").asInt(), p.path("trainingSteps").asInt(),
                    p.path("loss").asDouble()));
        }
        if (!run.path("stopReason").isNull() && !run.path("stopReason").isMissingNode()) {
            b.append("  ").append(run.path("stopReason").asText());
        }
        return b.toString();
    }

    public static void writeReport(JsonNode run, Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        JSON.writeValue(file.toFile(), run);
    }

    /** The per-iteration table: SFT (pi_0) first, then each iteration's generation, training and eval of pi_{t+1}. */
    public static void printTable(JsonNode run, PrintStream out) {
        out.println();
        out.printf("%-6s %7s %8s %8s %9s %8s %8s %8s %8s %10s %8s %8s%n", "model", "pairs", "gen-EM", "gen-sim", "tok/s",
                "loss", "margin", "acc", "steps", "eval-logp", "eval-EM", "eval-sim");
        JsonNode sftEval = run.path("sft").path("eval");
        JsonNode sftTraining = run.path("sft").path("training");
        out.printf("%-6s %7s %8s %8s %9s %8s %8s %8s %8s %10s %8s %8s%n", "pi_0", "-", "-", "-", "-", num(sftTraining.path("loss")),
                "-", "-", num(sftTraining.path("steps")), num(sftEval.path("humanLogpPerToken")), num(sftEval.path("exactMatchRate")),
                num(sftEval.path("meanSimilarity")));
        for (JsonNode it : run.path("iterations")) {
            JsonNode g = it.path("generation");
            JsonNode t = it.path("training");
            JsonNode e = it.path("eval");
            out.printf("%-6s %7s %8s %8s %9s %8s %8s %8s %8s %10s %8s %8s%n", "pi_" + (it.path("iteration").asInt() + 1),
                    num(it.path("pairs")), num(g.path("exactMatchRate")), num(g.path("meanSimilarity")), num(g.path("tokensPerSecond")),
                    num(t.path("loss")), num(t.path("rewardsMargin")), num(t.path("rewardsAccuracy")), num(t.path("steps")),
                    num(e.path("humanLogpPerToken")), num(e.path("exactMatchRate")), num(e.path("meanSimilarity")));
        }
        out.println("(gen-* : pi_t's samples of iteration t vs the human responses; eval-* : the row's model on the eval set)");
    }

    private static String num(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return "-";
        }
        if (n.isIntegralNumber()) {
            return Long.toString(n.asLong());
        }
        double v = n.asDouble();
        return Math.abs(v) >= 1000 ? String.format("%.0f", v) : String.format("%.3f", v);
    }

    /** The request with the installation's bearer token, when it has one. */
    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        try {
            authorized(request);
            // a POST checks and publishes the run's datasets before it answers: a gigabyte takes minutes, not seconds
            HttpRequest built = request.build();
            Duration patience = built.method().equals("POST") ? Duration.ofMinutes(30) : Duration.ofSeconds(120);
            return http.send(HttpRequest.newBuilder(built, (name, value) -> true).timeout(patience).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new StackException("no orchestrator at " + orchestrator + " (start everything with ./spin up)");
        }
    }

    /** The newest runs first, at most {@code limit}. */
    public JsonNode list(int limit) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(orchestrator + "/runs?limit=" + limit)).GET());
        if (response.statusCode() != 200) {
            throw new StackException("GET /runs: HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Asks the orchestrator to cancel the run; its report as it stands. */
    public JsonNode cancel(String runId) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(orchestrator + "/runs/" + runId)).DELETE());
        if (response.statusCode() == 404) {
            throw new NotFound("no run '" + runId + "'");
        }
        if (response.statusCode() != 202) {
            throw new StackException("DELETE /runs/" + runId + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** What was asked for does not exist (exit code {@link ExitCodes#NOT_FOUND}). */
    public static final class NotFound extends StackException {
        public NotFound(String message) {
            super(message);
        }
    }
}
