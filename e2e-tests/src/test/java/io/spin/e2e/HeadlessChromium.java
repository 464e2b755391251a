package io.spin.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A real browser for the dashboard's tests: Debian's chromium, headless, driven over the Chrome DevTools Protocol
 * (one page; navigate, evaluate JavaScript, screenshot). JavaScript errors on the page are collected, so a test can
 * require that there were none.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> BINARIES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> pageErrors = new CopyOnWriteArrayList<>();

    /** The chromium binary, or null when none is installed (the dashboard tests skip, saying so). */
    static Path binary() {
        return BINARIES.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
    }

    HeadlessChromium(int width, int height) throws Exception {
        profile = Files.createTempDirectory("spin-chromium-");
        process = new ProcessBuilder(binary().toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--remote-debugging-port=0", "--user-data-dir=" + profile, "--window-size=" + width + "," + height,
                "about:blank").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        URI browser = devToolsAddress();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getAuthority() + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String page = null;
        for (JsonNode target : targets) {
            if (target.path("type").asText().equals("page")) {
                page = target.path("webSocketDebuggerUrl").asText();
            }
        }
        socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new Listener()).get(30, TimeUnit.SECONDS);
        send("Runtime.enable", Map.of());
        send("Page.enable", Map.of());
    }

    /** Chromium prints "DevTools listening on ws://..." on stderr once it listens. */
    private URI devToolsAddress() throws IOException {
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        for (String line; (line = err.readLine()) != null; ) {
            if (line.startsWith("DevTools listening on ")) {
                Thread drain = new Thread(() -> err.lines().forEach(l -> { }), "chromium-stderr");
                drain.setDaemon(true);
                drain.start();
                return URI.create(line.substring("DevTools listening on ".length()).trim());
            }
            seen.add(line);
        }
        throw new IOException("chromium exited before listening: " + String.join("\n", seen));
    }

    JsonNode send(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(JSON.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true).get(10, TimeUnit.SECONDS);
        JsonNode answer = reply.get(60, TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new IllegalStateException(method + ": " + answer.get("error"));
        }
        return answer.path("result");
    }

    /** Opens the URL and waits until its document and scripts have loaded. */
    void open(String url) throws Exception {
        send("Page.navigate", Map.of("url", url));
        await("document.readyState === 'complete' && location.href === " + JSON.writeValueAsString(url), Duration.ofSeconds(30));
    }

    /** The value of a JavaScript expression on the page (promises awaited), as JSON. */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode result = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException(expression + " threw " + result.path("exceptionDetails").toPrettyString());
        }
        return result.path("result").path("value");
    }

    /** Waits until the expression is truthy on the page, then returns its value; fails naming it after the timeout. */
    JsonNode await(String expression, Duration timeout) throws Exception {
        Instant until = Instant.now().plus(timeout);
        JsonNode value = null;
        while (Instant.now().isBefore(until)) {
            try {
                value = evaluate(expression);
                if (value != null && !value.isMissingNode() && !value.isNull() && !(value.isBoolean() && !value.asBoolean())
                        && !(value.isTextual() && value.asText().isEmpty())) {
                    return value;
                }
            } catch (IllegalStateException notYet) {
                value = null; // the page is navigating: its context is gone for a moment
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not true on the page after " + timeout + ": " + expression + " (last value " + value + ")");
    }

    /** A PNG of the whole page, for a person to look at later. */
    void screenshot(Path png) throws Exception {
        JsonNode shot = send("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
    }

    /** Uncaught exceptions and console errors on the pages since the browser started. */
    List<String> pageErrors() {
        return List.copyOf(pageErrors);
    }

    @Override
    public void close() throws Exception {
        socket.abort();
        List<ProcessHandle> helpers = process.descendants().toList(); // renderer, GPU and network processes
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        for (ProcessHandle helper : helpers) {
            helper.destroyForcibly();
            helper.onExit().get(10, TimeUnit.SECONDS);
        }
        // a file may still vanish under the walk (a helper's last temporary file): walk again
        for (int attempt = 1; attempt <= 5 && Files.exists(profile); attempt++) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.UncheckedIOException | java.io.IOException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
            Thread.sleep(attempt * 100L);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                handle(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void handle(String message) {
            try {
                ObjectNode node = (ObjectNode) JSON.readTree(message);
                if (node.has("id")) {
                    CompletableFuture<JsonNode> reply = pending.remove(node.get("id").asInt());
                    if (reply != null) {
                        reply.complete(node);
                    }
                } else if (node.path("method").asText().equals("Runtime.exceptionThrown")) {
                    pageErrors.add(node.path("params").path("exceptionDetails").toString());
                } else if (node.path("method").asText().equals("Runtime.consoleAPICalled")
                        && node.path("params").path("type").asText().equals("error")) {
                    pageErrors.add(node.path("params").path("args").toString());
                }
            } catch (IOException e) {
                pageErrors.add("unreadable DevTools message: " + e.getMessage());
            }
        }
    }
}
