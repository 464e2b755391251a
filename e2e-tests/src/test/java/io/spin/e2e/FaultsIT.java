package io.spin.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.spin.commons.kafka.TopicReader;
import io.spin.storage.ObjectStorage;
import io.spin.contract.ControlEvent;
import io.spin.contract.IterationStarted;
import io.spin.contract.PairsCompleted;
import io.spin.contract.SpinTopic;
import io.spin.contract.TrainingProgress;
import io.spin.stack.LocalServices;
import io.spin.cli.RunClient;
import io.spin.stack.SharedStack;
import io.spin.commons.stack.StackEndpoints;

/** kill -9 of a service mid-run, then a restart: the run completes, nothing lost, nothing doubled. Also two runs at once. */
class FaultsIT {
    static StackEndpoints endpoints;
    static LocalServices services;
    static ObjectStorage storage;
    static TopicReader reader;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        endpoints = SharedStack.endpoints();
        storage = endpoints.objectStorage();
        reader = new TopicReader(endpoints.kafkaClientConfig(), endpoints.registryApiV3());
        home = Files.createTempDirectory("spin-faults-");
        services = new LocalServices(home, SpinRunIT.ROOT, SpinRunIT.freeBlock(), 1, System.out).withEnv("SPIN_TRAINER_CHECKPOINT_EVERY", "5")
                // small generator batches spread an iteration's samples over seconds, so a kill lands mid-iteration
                .withEnv("SPIN_GENERATOR_MAX_BATCH", "4").withEnv("SPIN_GENERATOR_SAMPLE_BATCH", "4");
        services.up(endpoints);
    }

    /** Every test starts with every service up, whatever an earlier one did. */
    @org.junit.jupiter.api.BeforeEach
    void allServicesUp() throws Exception {
        services.up(endpoints);
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.down();
        }
    }

    private static String submit(int prompts, int sftEpochs, int first, long seed) throws Exception {
        Path train = home.resolve("train-" + seed + ".jsonl");
        Files.write(train, Files.readAllLines(SpinRunIT.ROOT.resolve("data/wordnet/train.jsonl")).subList(first, first + prompts));
        RunClient client = client();
        Map<String, Object> request = new HashMap<>(Map.of("trainDataset", client.upload(train), "modelPreset", "tiny", "iterations", 2,
                "sftEpochs", sftEpochs, "batchSize", 4, "seed", seed));
        request.put("sampling", Map.of("maxNewTokens", 32));
        return client.submit(request);
    }

    private static RunClient client() {
        return new RunClient(services.orchestratorUrl(), storage, System.out);
    }

    private static void awaitProgress(String runId, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode run = client().get(runId);
            assertEquals("RUNNING", run.path("status").asText(), "run ended early: " + run.toPrettyString());
            if (condition.test(run.path("progress"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("progress condition not reached within 3 minutes: " + client().get(runId).path("progress"));
    }

    private static JsonNode finish(String runId) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client().follow(runId, Duration.ofMillis(500));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).get(10, java.util.concurrent.TimeUnit.MINUTES);
    }

    /** Exactly one pair per (prompt, sample) per iteration, and one PairsCompleted and one IterationStarted per iteration. */
    private static void assertNothingLostOrDoubled(String runId, int prompts) {
        Map<String, Integer> pairs = RunRecords.perKey(reader, SpinTopic.PAIRS, runId);
        assertEquals(2 * prompts, pairs.size(), "pairs of both iterations");
        assertTrue(pairs.values().stream().allMatch(n -> n == 1), "no pair doubled");
        Map<String, Integer> requests = RunRecords.perKey(reader, SpinTopic.GENERATION_REQUESTS, runId);
        assertEquals(2 * prompts, requests.size());
        assertTrue(requests.values().stream().allMatch(n -> n == 1), "no generation request doubled");
        List<ControlEvent> history = reader.runHistory(runId);
        for (int t = 0; t < 2; t++) {
            int iteration = t;
            assertEquals(1, history.stream().filter(e -> e.getPayload() instanceof IterationStarted s && s.getIteration() == iteration).count(),
                    "iteration " + t + " started once");
            // the snapshot writer may publish PairsCompleted again after a crash, always under the same event id
            assertEquals(1, history.stream().filter(e -> e.getPayload() instanceof PairsCompleted c && c.getIteration() == iteration)
                    .map(ControlEvent::getEventId).distinct().count(), "PairsCompleted " + t + " emitted as one event");
        }
    }

    @Test
    void trainerKilledMidTrainingResumesFromItsInIterationCheckpoint() throws Exception {
        String runId = submit(40, 3, 0, 21); // SFT: 3 epochs x 10 steps of 4; checkpoints every 5 steps
        awaitProgress(runId, p -> p.path("phase").asText().equals("SFT") && p.path("trainingStep").asInt() >= 12);
        services.kill("trainer");
        services.up(endpoints);
        JsonNode run = finish(runId);
        assertEquals("COMPLETED", run.path("status").asText(), run.toPrettyString());
        assertEquals(30, run.path("sft").path("training").path("steps").asInt(), "the resumed SFT still counts all 30 steps");
        List<Integer> steps = new ArrayList<>();
        reader.runHistory(runId).forEach(e -> {
            if (e.getPayload() instanceof TrainingProgress p && p.getIteration() == -1) {
                steps.add(p.getStep());
            }
        });
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i) < steps.get(i - 1)) { // the restart: it must go on from the saved step, not from 1
                assertTrue(steps.get(i) > 10, "resumed after step " + steps.get(i - 1) + " at step " + steps.get(i) + ": " + steps);
            }
        }
        assertNothingLostOrDoubled(runId, 40);
    }

    @Test
    void orchestratorKilledDuringAFanOutOrGenerationAndRestartedCarriesOn() throws Exception {
        killDuringGenerationAndRestart("orchestrator", 24, 100, 22, 0);
    }

    @Test
    void pairBuilderKilledMidIterationAndRestartedLosesAndDoublesNothing() throws Exception {
        killDuringGenerationAndRestart("pair-builder", 32, 200, 23, 0);
    }

    @Test
    void theOnlyGeneratorKilledMidIterationAndRestartedLaterLosesAndDoublesNothing() throws Exception {
        // no generator at all for a while: requests wait in their topic
        killDuringGenerationAndRestart("generator", 32, 350, 26, 3000);
    }

    /** kill -9 of one service while the first iteration generates, restart after a pause; the run must still end well. */
    private static void killDuringGenerationAndRestart(String service, int prompts, int first, long seed, long downMillis) throws Exception {
        String runId = submit(prompts, 1, first, seed);
        awaitProgress(runId, p -> p.path("phase").asText().equals("GENERATING"));
        services.kill(service);
        Thread.sleep(downMillis);
        services.up(endpoints);
        JsonNode run = finish(runId);
        assertEquals("COMPLETED", run.path("status").asText(), run.toPrettyString());
        assertNothingLostOrDoubled(runId, prompts);
    }

    @Test
    void anOrchestratorRestartedAfterARunEndedReportsItAsBeforeWithoutReplayingIt() throws Exception {
        String runId = submit(8, 1, 60, 27);
        JsonNode before = finish(runId);
        assertEquals("COMPLETED", before.path("status").asText(), before.toPrettyString());
        services.kill("orchestrator");
        services.up(endpoints);
        // the run index lists it as ended, so the replay skipped it; its report is read from its history on demand
        assertEquals(before, client().get(runId));
        JsonNode listed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(services.orchestratorUrl() + "/runs")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        JsonNode row = null;
        for (JsonNode r : listed) {
            if (r.path("runId").asText().equals(runId)) {
                row = r;
            }
        }
        assertTrue(row != null, "listed: " + listed);
        assertEquals("COMPLETED", row.path("status").asText());
        assertEquals(2, row.path("progress").path("iterations").asInt());
    }

    @Test
    void twoRunsAtTheSameTimeNeverMix() throws Exception {
        String a = submit(16, 1, 300, 24);
        String b = submit(12, 1, 330, 25);
        JsonNode runA = finish(a);
        JsonNode runB = finish(b);
        assertEquals("COMPLETED", runA.path("status").asText());
        assertEquals("COMPLETED", runB.path("status").asText());
        assertNothingLostOrDoubled(a, 16);
        assertNothingLostOrDoubled(b, 12);
        assertNotEquals(runA.path("iterations").get(1).path("checkpoint").path("uri").asText(),
                runB.path("iterations").get(1).path("checkpoint").path("uri").asText());
        assertTrue(runA.path("iterations").get(1).path("checkpoint").path("uri").asText().contains(a));
        assertEquals(16, runA.path("iterations").get(0).path("pairs").asInt());
        assertEquals(12, runB.path("iterations").get(0).path("pairs").asInt());
    }
}
