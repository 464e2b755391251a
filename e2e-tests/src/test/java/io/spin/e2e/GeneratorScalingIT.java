package io.spin.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.spin.commons.kafka.PairReplay;
import io.spin.commons.kafka.TopicReader;
import io.spin.storage.ObjectStorage;
import io.spin.contract.GeneratedSample;
import io.spin.contract.PreferencePair;
import io.spin.contract.SpinTopic;
import io.spin.stack.LocalServices;
import io.spin.cli.RunClient;
import io.spin.stack.SharedStack;
import io.spin.commons.stack.StackEndpoints;

/**
 * Two generator replicas in one consumer group both serve an iteration; one is killed with SIGKILL mid-iteration,
 * the other takes over its partitions, and the iteration still completes with exactly one pair per (prompt, sample).
 */
class GeneratorScalingIT {
    static StackEndpoints endpoints;
    static LocalServices services;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        endpoints = SharedStack.endpoints();
        home = Files.createTempDirectory("spin-scaling-");
        services = new LocalServices(home, SpinRunIT.ROOT, SpinRunIT.freeBlock(), 2, System.out).withGeneratorThreads(1);
        services.up(endpoints);
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.down();
        }
    }

    @Test
    void twoReplicasServeAndKillingOneMidIterationLosesAndDoublesNothing() throws Exception {
        List<String> lines = Files.readAllLines(SpinRunIT.ROOT.resolve("data/wordnet/train.jsonl"));
        Path train = home.resolve("train.jsonl");
        Files.write(train, lines.subList(0, 80));
        ObjectStorage storage = endpoints.objectStorage();
        RunClient client = new RunClient(services.orchestratorUrl(), storage, System.out);
        Map<String, Object> request = new HashMap<>(Map.of("trainDataset", client.upload(train), "modelPreset", "tiny", "iterations", 1,
                "sftEpochs", 1, "samplesPerPrompt", 2, "batchSize", 16, "seed", 5));
        request.put("sampling", Map.of("maxNewTokens", 64));
        String runId = client.submit(request);

        // wait until generation is under way and the replica to be killed has published (a cold replica's first
        // batch can take longer than the other's first 16 samples), then kill it abruptly
        TopicReader reader = new TopicReader(endpoints.kafkaClientConfig(), endpoints.registryApiV3());
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode run = client.get(runId);
            JsonNode p = run.path("progress");
            if (p.path("phase").asText().equals("GENERATING") && p.path("generated").asInt() >= 16
                    && replicasThatServed(reader, runId).contains("generator-1")) {
                break;
            }
            assertEquals("RUNNING", run.path("status").asText(), run.toPrettyString());
            Thread.sleep(200);
        }
        services.kill("generator-1");
        JsonNode run = client.follow(runId, Duration.ofMillis(500));
        assertEquals("COMPLETED", run.path("status").asText(), run.toPrettyString());

        Map<String, Integer> pairsPerKey = RunRecords.perKey(reader, SpinTopic.PAIRS, runId);
        assertEquals(160, pairsPerKey.size(), "80 prompts x 2 samples, none missing");
        assertTrue(pairsPerKey.values().stream().allMatch(n -> n == 1), "none doubled");
        assertEquals(Set.of("generator-1", "generator-2"), replicasThatServed(reader, runId), "both replicas served requests");
        PairReplay.Result replayed = new PairReplay(reader).replay(runId, Set.of(0), n -> { }).get(0);
        assertTrue(replayed.identical());
    }

    private static Set<String> replicasThatServed(TopicReader reader, String runId) {
        Set<String> replicas = new HashSet<>();
        reader.<Object>readAll(SpinTopic.SAMPLES.topicName(), r -> {
            if (r.value() instanceof GeneratedSample s && s.getRunId().equals(runId)) {
                replicas.add(s.getReplicaId());
            }
        });
        return replicas;
    }
}
