package io.spin.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.spin.stack.ApiToken;
import io.spin.stack.LocalServices;
import io.spin.cli.RunClient;
import io.spin.stack.SharedStack;
import io.spin.commons.stack.StackEndpoints;

/**
 * The orchestrator's dashboard in a real headless browser, on real runs of the packaged services: what a person sees
 * (the runs table, the live phase changing without a reload, the charts' points, the checkpoint chain) and cancel.
 * Screenshots land in target/dashboard/.
 */
class DashboardIT {
    static final Path SHOTS = Path.of("target", "dashboard");
    static StackEndpoints endpoints;
    static LocalServices services;
    static Path home;
    static RunClient client;
    static Map<String, Object> request;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(HeadlessChromium.binary() != null, "no chromium to drive (Debian: apt-get install chromium); .ci/run installs it");
        endpoints = SharedStack.endpoints();
        home = Files.createTempDirectory("spin-dashboard-");
        services = new LocalServices(home, SpinRunIT.ROOT, SpinRunIT.freeBlock(), 1, System.out);
        services.up(endpoints);
        Path train = home.resolve("train.jsonl");
        Path eval = home.resolve("eval.jsonl");
        Files.write(train, Files.readAllLines(SpinRunIT.ROOT.resolve("data/wordnet/train.jsonl")).subList(0, 16));
        Files.write(eval, Files.readAllLines(SpinRunIT.ROOT.resolve("data/wordnet/eval.jsonl")).subList(0, 6));
        client = new RunClient(services.orchestratorUrl(), endpoints.objectStorage(), System.out);
        request = new HashMap<>(Map.of("trainDataset", client.upload(train), "evalDataset", client.upload(eval), "modelPreset", "tiny",
                "iterations", 2, "sftEpochs", 1, "batchSize", 4, "seed", 5));
        request.put("sampling", Map.of("maxNewTokens", 16));
    }

    @AfterAll
    static void stop() throws IOException {
        if (services != null) {
            services.down();
        }
    }

    @Test
    void aRunsPageShowsItLiveWithItsChartsAndChainAndTheRunsTableListsIt() throws Exception {
        String runId = client.submit(request);
        try (HeadlessChromium browser = new HeadlessChromium(1400, 1200)) {
            browser.open(services.orchestratorUrl() + "/run.html?id=" + runId);
            browser.evaluate("window.openedOnce = true");
            // what the page says while the run goes on, read as a person would, every 200 ms
            Set<String> phases = new LinkedHashSet<>();
            Instant until = Instant.now().plus(Duration.ofMinutes(5));
            String status = "";
            while (!status.equals("COMPLETED") && Instant.now().isBefore(until)) {
                status = browser.evaluate("document.getElementById('status').textContent").asText();
                String phase = browser.evaluate("document.getElementById('phase').textContent").asText();
                phases.add(phase.replaceAll("\\d+/\\d+", "n/m"));
                Thread.sleep(200);
            }
            assertEquals("COMPLETED", status, "the page shows the run's end; phases seen: " + phases);
            assertTrue(browser.evaluate("window.openedOnce === true").asBoolean(), "live updates without a reload");
            // SFT steps, then each iteration generating and training, then the end; the fast phases may pass unseen in one iteration
            Map<String, java.util.function.Predicate<String>> expected = Map.of("SFT's steps", p -> p.equals("SFT: step n/m"),
                    "samples arriving", p -> p.matches("iteration [12] of 2: generated n/m"),
                    "training", p -> p.matches("iteration [12] of 2: training( step n/m)?"),
                    "the end", p -> p.equals("completed: 2 of 2 iterations"));
            expected.forEach((what, shown) -> assertTrue(phases.stream().anyMatch(shown), "the phase line showed " + what + " live: " + phases));
            JsonNode report = client.get(runId);
            browser.await("document.querySelectorAll('#checkpoints tbody tr').length === 3", Duration.ofSeconds(10));
            theChartsHoldTheReportsPoints(browser, report);
            JsonNode chain = browser.evaluate("[...document.querySelectorAll('#checkpoints tbody tr')]"
                    + ".map(tr => [...tr.cells].map(c => c.textContent))");
            assertEquals(List.of("π0", report.path("sft").path("checkpoint").path("uri").asText(),
                    report.path("sft").path("checkpoint").path("sha256").asText(), ""), texts(chain.get(0)));
            JsonNode last = report.path("iterations").get(1).path("checkpoint");
            assertEquals(List.of("π2", last.path("uri").asText(), last.path("sha256").asText(), last.path("parent").path("uri").asText()),
                    texts(chain.get(2)));
            assertEquals(2, browser.evaluate("document.querySelectorAll('#snapshots tbody tr').length").asInt());
            assertTrue(browser.evaluate("document.getElementById('config').textContent").asText().contains("modelPresettiny"));
            assertTrue(browser.evaluate("document.getElementById('cancel').hidden").asBoolean(), "no cancel once the run ended");
            browser.screenshot(SHOTS.resolve("run.png"));

            browser.open(services.orchestratorUrl() + "/");
            String row = "document.querySelector('#runs tr[data-run=\"" + runId + "\"]')";
            browser.await(row + " && " + row + ".textContent.includes('COMPLETED')", Duration.ofSeconds(10));
            assertEquals("completed: 2 of 2 iterations", browser.evaluate(row + ".querySelector('.phase').textContent").asText());
            assertEquals(1.0, browser.evaluate(row + ".querySelector('progress').value").asDouble());
            browser.screenshot(SHOTS.resolve("runs.png"));
            assertEquals(List.of(), browser.pageErrors(), "no JavaScript errors");
        }
    }

    /** Each chart's points are the report's numbers, one per model, iteration or optimizer step. */
    private static void theChartsHoldTheReportsPoints(HeadlessChromium browser, JsonNode report) throws Exception {
        String series = "echarts.getInstanceByDom(document.getElementById('%s')).getOption().series.map(s => s.data)";
        JsonNode logp = browser.evaluate(String.format(series, "chart-logp")).get(0);
        List<Double> expected = new ArrayList<>(List.of(report.path("sft").path("eval").path("humanLogpPerToken").asDouble()));
        report.path("iterations").forEach(it -> expected.add(it.path("eval").path("humanLogpPerToken").asDouble()));
        assertEquals(expected, numbers(logp), "eval log-prob per token of pi_0, pi_1, pi_2");
        JsonNode rewards = browser.evaluate(String.format(series, "chart-rewards"));
        assertEquals(List.of(report.path("iterations").get(0).path("training").path("rewardsMargin").asDouble(),
                report.path("iterations").get(1).path("training").path("rewardsMargin").asDouble()), numbers(rewards.get(0)));
        assertEquals(2, rewards.get(1).size(), "reward accuracy per iteration");
        JsonNode similarity = browser.evaluate(String.format(series, "chart-similarity"));
        assertEquals(report.path("iterations").get(1).path("eval").path("meanSimilarity").asDouble(), similarity.get(0).get(2).asDouble());
        int steps = report.path("sft").path("lossCurve").size();
        for (JsonNode it : report.path("iterations")) {
            steps += it.path("lossCurve").size();
        }
        JsonNode loss = browser.evaluate(String.format(series, "chart-loss"));
        assertEquals(3, loss.size(), "a loss series for SFT and each iteration");
        int points = 0;
        for (JsonNode s : loss) {
            points += s.size();
        }
        assertTrue(steps > 10, "the stages reported their losses: " + steps);
        assertEquals(steps, points, "one point per optimizer step the trainer reported");
    }

    @Test
    void cancelOnTheRunsPageAsksForTheTokenThenCancelsIt() throws Exception {
        String runId = client.submit(request);
        try (HeadlessChromium browser = new HeadlessChromium(1400, 900)) {
            browser.open(services.orchestratorUrl() + "/run.html?id=" + runId);
            browser.await("!document.getElementById('cancel').hidden", Duration.ofSeconds(20));
            browser.evaluate("document.getElementById('cancel').click()");
            browser.await("document.getElementById('token-form') !== null", Duration.ofSeconds(10));
            String token = Files.readString(home.resolve(ApiToken.FILE)).trim();
            browser.evaluate("(() => { const f = document.getElementById('token-form'); f.elements.token.value = '" + token
                    + "'; f.requestSubmit(); })()");
            browser.await("document.getElementById('token-form') === null && !document.getElementById('cancel').hidden"
                    + " && document.getElementById('status').textContent === 'RUNNING'", Duration.ofSeconds(20));
            browser.evaluate("document.getElementById('cancel').click()");
            browser.await("document.getElementById('status').textContent === 'CANCELLED'", Duration.ofSeconds(30));
            browser.screenshot(SHOTS.resolve("cancelled.png"));
            assertEquals(List.of(), browser.pageErrors(), "no JavaScript errors");
        }
        assertEquals("CANCELLED", client.get(runId).path("status").asText());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<Double> numbers(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asDouble()));
        return out;
    }
}
