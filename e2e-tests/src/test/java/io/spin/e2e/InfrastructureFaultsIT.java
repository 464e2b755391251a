package io.spin.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.spin.commons.kafka.TopicReader;
import io.spin.storage.ObjectStorage;
import io.spin.contract.SpinTopic;
import io.spin.stack.Dist;
import io.spin.stack.LocalServices;
import io.spin.stack.LocalStack;
import io.spin.cli.RunClient;
import io.spin.commons.stack.StackEndpoints;
import io.spin.stack.StackSettings;

/**
 * The broker and the object store failing under a running system. Uses a private stack (its own ports and data), so
 * stopping its broker disturbs no other test.
 */
class InfrastructureFaultsIT {
    static LocalStack stack;
    static StackEndpoints endpoints;
    static LocalServices services;
    static ObjectStorage storage;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        home = Files.createTempDirectory("spin-infra-faults-");
        stack = new LocalStack(StackSettings.freePorts(home.resolve("stack"), Dist.locate(System.getenv())), System.getenv(), System.out);
        endpoints = stack.up();
        storage = endpoints.objectStorage();
        services = new LocalServices(home, SpinRunIT.ROOT, SpinRunIT.freeBlock(), 1, System.out);
        services.up(endpoints);
    }

    @BeforeEach
    void everythingUp() throws Exception {
        stack.up();
        services.up(endpoints);
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.down();
        }
        if (stack != null) {
            stack.down();
        }
    }

    private String submit(int prompts, long seed) throws Exception {
        Path train = home.resolve("train-" + seed + ".jsonl");
        Files.write(train, Files.readAllLines(SpinRunIT.ROOT.resolve("data/wordnet/train.jsonl")).subList(0, prompts));
        RunClient client = new RunClient(services.orchestratorUrl(), storage, System.out);
        Map<String, Object> request = new HashMap<>(Map.of("trainDataset", client.upload(train), "modelPreset", "tiny", "iterations", 1,
                "sftEpochs", 2, "batchSize", 4, "seed", seed));
        request.put("sampling", Map.of("maxNewTokens", 32));
        return client.submit(request);
    }

    private JsonNode awaitPhase(String runId, String phase) throws Exception {
        RunClient client = new RunClient(services.orchestratorUrl(), storage, System.out);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode run = client.get(runId);
            if (run.path("progress").path("phase").asText().equals(phase)) {
                return run;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(runId + " never reached " + phase);
    }

    @Test
    void theBrokerStoppedAndRestartedMidIterationAndTheRunCompletes() throws Exception {
        String runId = submit(24, 31);
        awaitPhase(runId, "GENERATING");
        stack.stop("kafka");
        Thread.sleep(5000);
        stack.up(); // same ports, same data folder
        JsonNode run = new RunClient(services.orchestratorUrl(), storage, System.out).follow(runId, Duration.ofMillis(500));
        assertEquals("COMPLETED", run.path("status").asText(), run.toPrettyString());
        Map<String, Integer> pairs = RunRecords.perKey(new TopicReader(endpoints.kafkaClientConfig(), endpoints.registryApiV3()), SpinTopic.PAIRS, runId);
        assertEquals(24, pairs.size());
        assertTrue(pairs.values().stream().allMatch(n -> n == 1), "no pair doubled");
    }

    @Test
    void aShortObjectStoreOutageIsRiddenOutAndALongOneFailsTheRunWithTheReason() throws Exception {
        String shortOutage = submit(12, 32);
        awaitPhase(shortOutage, "SFT");
        stack.stop("s3");
        Thread.sleep(2000); // well inside the retries' ~8 s
        stack.up();
        JsonNode survived = new RunClient(services.orchestratorUrl(), storage, System.out).follow(shortOutage, Duration.ofMillis(500));
        assertEquals("COMPLETED", survived.path("status").asText(), survived.toPrettyString());

        String longOutage = submit(12, 33);
        awaitPhase(longOutage, "SFT");
        stack.stop("s3");
        try {
            JsonNode failed = new RunClient(services.orchestratorUrl(), storage, System.out).follow(longOutage, Duration.ofMillis(500));
            assertEquals("FAILED", failed.path("status").asText(), failed.toPrettyString());
            assertTrue(failed.path("stopReason").asText().contains("s3://"), "the reason names the object: " + failed.path("stopReason"));
        } finally {
            stack.up();
        }
    }
}
