package io.spin.generator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.commons.kafka.TopicReader;
import io.spin.storage.ObjectStorage;
import io.spin.contract.CheckpointRef;
import io.spin.contract.ControlEvent;
import io.spin.contract.GeneratedSample;
import io.spin.contract.GenerationRequest;
import io.spin.contract.Keys;
import io.spin.contract.RunFailed;
import io.spin.contract.SamplingParams;
import io.spin.contract.SpinTopic;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.checkpoint.CheckpointStore;
import io.spin.data.model.ModelConfig;
import io.spin.core.model.Policy;
import io.spin.data.text.PromptFormat;
import io.spin.testresource.LocalStackResource;
import io.spin.stack.SharedStack;
import io.spin.commons.stack.StackEndpoints;

@QuarkusTest
@WithTestResource(LocalStackResource.class)
class GeneratorServiceTest {

    @Test
    void requestsBecomeSamplesUnderTheSameKeyAndACorruptCheckpointFailsTheRun() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port); // readiness waits for the service's start-up work (log replay, stream threads)
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        StackEndpoints e = SharedStack.endpoints();
        ObjectStorage storage = e.objectStorage();
        String run = "gen-" + UUID.randomUUID().toString().substring(0, 8);
        Path local = Files.createTempDirectory("ckpt");
        CheckpointStore.Stored stored;
        Path badLocal = Files.createTempDirectory("bad-ckpt");
        try (Policy policy = Policy.create(ModelConfig.preset("tiny"), PromptFormat.DEFAULT_TEMPLATE, 5)) {
            CheckpointFiles.save(policy, null, local, run + "/iter-0", null, Map.of(), Map.of());
            stored = new CheckpointStore(storage, local.resolve("cache")).upload(local, "runs/" + run + "/iter-0/checkpoint/");
            CheckpointFiles.save(policy, null, badLocal, run + "-bad/iter-0", null, Map.of(), Map.of()); // its own manifest
        }
        CheckpointRef good = CheckpointRef.newBuilder().setId(run + "/iter-0").setUri(stored.uri()).setManifestSha256(stored.manifestSha256()).build();
        // a second checkpoint whose parameters are altered after upload
        String badPrefix = "runs/" + run + "-bad/iter-0/checkpoint/";
        CheckpointStore.Stored badStored = new CheckpointStore(storage, badLocal.resolve("cache")).upload(badLocal, badPrefix);
        byte[] params = storage.getBytes(badPrefix + "model.params");
        params[params.length / 2] ^= 0x10;
        storage.putBytes(badPrefix + "model.params", params, "application/octet-stream");
        CheckpointRef bad = CheckpointRef.newBuilder().setId("bad").setUri(badStored.uri()).setManifestSha256(badStored.manifestSha256()).build();

        SamplingParams sampling = SamplingParams.newBuilder().setTemperature(1.0).setMaxNewTokens(12).build();
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(ControlPublisher.producerConfig(e.kafkaBootstrap(), e.registryApiV3()))) {
            for (int p = 0; p < 5; p++) {
                GenerationRequest request = GenerationRequest.newBuilder().setRunId(run).setIteration(0).setDatasetId("ds").setPromptId("p" + p)
                        .setSampleIndex(0).setPrompt("Define: word" + p).setPolicy(good).setSampling(sampling).setMaxPromptTokens(64)
                        .setSeed(100 + p).setProducerId("test").build();
                producer.send(new ProducerRecord<>(SpinTopic.GENERATION_REQUESTS.topicName(), Keys.sample(run, 0, "p" + p, 0), request));
                if (p == 2) { // redelivered request
                    producer.send(new ProducerRecord<>(SpinTopic.GENERATION_REQUESTS.topicName(), Keys.sample(run, 0, "p" + p, 0), request));
                }
            }
            producer.send(new ProducerRecord<>(SpinTopic.GENERATION_REQUESTS.topicName(), Keys.sample(run + "-bad", 0, "q", 0),
                    GenerationRequest.newBuilder().setRunId(run + "-bad").setIteration(0).setDatasetId("ds").setPromptId("q").setSampleIndex(0)
                            .setPrompt("Define: q").setPolicy(bad).setSampling(sampling).setMaxPromptTokens(64).setSeed(1).setProducerId("test").build()));
        }
        TopicReader reader = new TopicReader(e.kafkaClientConfig(), e.registryApiV3());
        Map<String, List<String>> textsByKey = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline && textsByKey.values().stream().mapToInt(List::size).sum() < 6) {
            textsByKey.clear();
            reader.<Object>readAll(SpinTopic.SAMPLES.topicName(), r -> {
                if (r.value() instanceof GeneratedSample s && s.getRunId().equals(run)) {
                    textsByKey.computeIfAbsent(r.key(), k -> new java.util.ArrayList<>()).add(s.getText());
                    assertEquals(Keys.sample(run, 0, s.getPromptId(), 0), r.key());
                    assertTrue(s.getLogProb() < 0 && s.getTokenCount() > 0);
                    // the sampled ids travel with the text: they decode to it, and EOS is counted only when sampled
                    int[] ids = s.getTokenIds().stream().mapToInt(Integer::intValue).toArray();
                    assertEquals(s.getText(), new io.spin.data.text.ByteTokenizer().decode(ids));
                    assertEquals(s.getTokenCount(), ids.length + (s.getFinishReason() == io.spin.contract.FinishReason.EOS ? 1 : 0));
                }
            });
            Thread.sleep(500);
        }
        assertEquals(5, textsByKey.size(), "one key per request");
        List<String> twice = textsByKey.get(Keys.sample(run, 0, "p2", 0));
        assertEquals(2, twice.size());
        assertEquals(twice.get(0), twice.get(1), "a redelivered request samples the same text (same seed)");

        RunFailed failed = null;
        while (failed == null && System.nanoTime() < deadline) {
            for (ControlEvent ev : reports(reader, run + "-bad")) {
                if (ev.getPayload() instanceof RunFailed f) {
                    failed = f;
                }
            }
            Thread.sleep(500);
        }
        assertTrue(failed != null, "the run with a corrupted checkpoint failed");
        assertTrue(failed.getReason().contains("model.params") && failed.getComponent().equals("generator"), failed.getReason());
    }

    @Test
    void requestsOfEndedRunsAreSkippedAndAnUnsampleableRequestIsDeadLetteredWhileTheReplicaGoesOn() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port);
        StackEndpoints e = SharedStack.endpoints();
        ObjectStorage storage = e.objectStorage();
        String base = "gen-" + UUID.randomUUID().toString().substring(0, 8);
        String cancelled = base + "-cancelled";
        String live = base + "-live";
        String poisoned = base + "-poisoned";
        Path local = Files.createTempDirectory("ckpt");
        CheckpointStore.Stored stored;
        try (Policy policy = Policy.create(ModelConfig.preset("tiny"), PromptFormat.DEFAULT_TEMPLATE, 7)) {
            CheckpointFiles.save(policy, null, local, base + "/iter-0", null, Map.of(), Map.of());
            stored = new CheckpointStore(storage, local.resolve("cache")).upload(local, "runs/" + base + "/iter-0/checkpoint/");
        }
        CheckpointRef policy = CheckpointRef.newBuilder().setId(base + "/iter-0").setUri(stored.uri()).setManifestSha256(stored.manifestSha256()).build();
        SamplingParams sampling = SamplingParams.newBuilder().setTemperature(1.0).setMaxNewTokens(8).build();
        try (ControlPublisher control = new ControlPublisher(e.kafkaBootstrap(), e.registryApiV3(), SpinTopic.CONTROL)) {
            control.publish(new io.spin.commons.ControlEvents("test").of(cancelled, io.spin.contract.CancelRequested.newBuilder().build()));
        }
        Thread.sleep(3000); // the replica follows the control log live; "within seconds" is the promise
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(ControlPublisher.producerConfig(e.kafkaBootstrap(), e.registryApiV3()))) {
            for (int p = 0; p < 4; p++) {
                producer.send(request(cancelled, "c" + p, policy, sampling, 64));
            }
            // decodes, but its prompt limit leaves no room for the template: sampling it throws
            producer.send(request(poisoned, "x", policy, sampling, 1));
            for (int p = 0; p < 3; p++) {
                producer.send(request(live, "l" + p, policy, sampling, 64));
            }
        }
        TopicReader reader = new TopicReader(e.kafkaClientConfig(), e.registryApiV3());
        awaitSamples(reader, live, 3);
        RunFailed failed = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (failed == null && System.nanoTime() < deadline) {
            for (ControlEvent ev : reports(reader, poisoned)) {
                if (ev.getPayload() instanceof RunFailed f) {
                    failed = f;
                }
            }
            Thread.sleep(300);
        }
        assertTrue(failed != null && failed.getReason().contains("maxPromptTokens 1"), "the poisoned run failed with the reason: " + failed);
        boolean[] deadLettered = {false};
        reader.<Object>readAll(SpinTopic.DEAD_LETTERS.topicName(), r -> {
            if (r.value() instanceof io.spin.contract.DeadLetter d && d.getSourceTopic().equals(SpinTopic.GENERATION_REQUESTS.topicName())
                    && Keys.sample(poisoned, 0, "x", 0).equals(r.key())) {
                deadLettered[0] = true;
            }
        });
        assertTrue(deadLettered[0], "the request that could not be sampled is in the dead-letter topic");
        // the replica goes on: a request sent now is still sampled
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(ControlPublisher.producerConfig(e.kafkaBootstrap(), e.registryApiV3()))) {
            producer.send(request(live, "after", policy, sampling, 64)).get();
        }
        awaitSamples(reader, live, 4);
        assertEquals(0, samples(reader, cancelled), "no request of the cancelled run was sampled");
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    private static ProducerRecord<String, Object> request(String run, String promptId, CheckpointRef policy, SamplingParams sampling,
                                                          int maxPromptTokens) {
        return new ProducerRecord<>(SpinTopic.GENERATION_REQUESTS.topicName(), Keys.sample(run, 0, promptId, 0),
                GenerationRequest.newBuilder().setRunId(run).setIteration(0).setDatasetId("ds").setPromptId(promptId).setSampleIndex(0)
                        .setPrompt("Define: " + promptId).setPolicy(policy).setSampling(sampling).setMaxPromptTokens(maxPromptTokens)
                        .setSeed(promptId.hashCode()).setProducerId("test").build());
    }

    private static int samples(TopicReader reader, String run) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        reader.<Object>readAll(SpinTopic.SAMPLES.topicName(), r -> {
            if (r.value() instanceof GeneratedSample s && s.getRunId().equals(run)) {
                keys.add(r.key());
            }
        });
        return keys.size();
    }

    private static void awaitSamples(TopicReader reader, String run, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (samples(reader, run) < expected) {
            assertTrue(System.nanoTime() < deadline, "fewer than " + expected + " samples of " + run + " within 90 s");
            Thread.sleep(300);
        }
    }

    /** The generator's reports on a run (its report topic: the orchestrator, absent here, would append them to the log). */
    private static List<ControlEvent> reports(TopicReader reader, String runId) {
        List<ControlEvent> reports = new java.util.ArrayList<>();
        reader.<Object>readAll(SpinTopic.GENERATOR_REPORTS.topicName(), r -> {
            if (r.value() instanceof ControlEvent ev && ev.getRunId().equals(runId)) {
                reports.add(ev);
            }
        });
        return reports;
    }
}
