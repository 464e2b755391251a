package io.spin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * How `./spin run` follows a run: by its server-sent events, replacing a stream that broke or was refused. The
 * orchestrator's side of the stream is tested in SpinRunIT; here an HTTP server plays an orchestrator whose streams
 * misbehave, in the ways a real one's can (a restart mid-run, too many streams open).
 */
class RunClientFollowTest {
    private HttpServer server;

    private static String report(String status, String phase, int generated) {
        return "{\"runId\":\"run-1\",\"status\":\"" + status + "\",\"progress\":{\"phase\":\"" + phase + "\",\"iteration\":0,"
                + "\"iterations\":1,\"generated\":" + generated + ",\"expected\":4}}";
    }

    private String start(List<String> streams, AtomicInteger gets, String current) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger opened = new AtomicInteger();
        server.createContext("/runs/run-1", exchange -> {
            if (exchange.getRequestURI().getPath().endsWith("/events")) {
                String body = streams.get(Math.min(opened.getAndIncrement(), streams.size() - 1));
                if (body == null) {
                    respond(exchange, 503, "too many streams");
                } else {
                    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
                    respond(exchange, 200, body);
                }
            } else {
                gets.incrementAndGet();
                respond(exchange, 200, current);
            }
        });
        server.createContext("/runs/nope", exchange -> respond(exchange, 404, "{}"));
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aStreamThatEndsBeforeTheRunIsReplacedAndTheLastReportEndsTheFollow() throws Exception {
        AtomicInteger gets = new AtomicInteger();
        String broken = "data:" + report("RUNNING", "GENERATING", 1) + "\n\n"; // the orchestrator restarted here
        String refused = null;
        String rest = "data:" + report("RUNNING", "GENERATING", 3) + "\n\ndata:" + report("RUNNING", "TRAINING", 4) + "\n\n"
                + "data:" + report("COMPLETED", "COMPLETED", 4) + "\n\n";
        String url = start(java.util.Arrays.asList(broken, refused, rest), gets, report("RUNNING", "SFT", 0));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        RunClient client = new RunClient(url, null, new PrintStream(printed, true, StandardCharsets.UTF_8));
        JsonNode run = client.follow("run-1", Duration.ofMillis(10));
        assertEquals("COMPLETED", run.path("status").asText());
        assertEquals(3, gets.get(), "one GET before each of the three streams");
        String lines = printed.toString(StandardCharsets.UTF_8);
        for (String seen : List.of("SFT", "generated 1/4", "generated 3/4", "TRAINING", "COMPLETED")) {
            assertTrue(lines.contains(seen), seen + " in " + lines);
        }
    }

    @Test
    void anUnknownRunIsNotFound() throws Exception {
        String url = start(List.of(""), new AtomicInteger(), "{}");
        RunClient client = new RunClient(url, null, new PrintStream(OutputStream.nullOutputStream()));
        assertThrows(RunClient.NotFound.class, () -> client.follow("nope", Duration.ofMillis(10)));
    }
}
