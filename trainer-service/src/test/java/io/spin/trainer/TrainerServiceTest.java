package io.spin.trainer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spin.commons.ControlEvents;
import io.spin.commons.DatasetCopies;
import io.spin.commons.PairSnapshot;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.commons.kafka.TopicReader;
import io.spin.contract.CheckpointReady;
import io.spin.contract.ControlEvent;
import io.spin.contract.ConvergenceCriteria;
import io.spin.contract.IterationStarted;
import io.spin.contract.LossType;
import io.spin.contract.ObjectRef;
import io.spin.contract.PairsCompleted;
import io.spin.contract.PreferencePair;
import io.spin.contract.RunConfig;
import io.spin.contract.RunRequested;
import io.spin.contract.SamplingParams;
import io.spin.contract.SftRequested;
import io.spin.contract.SpinTopic;
import io.spin.contract.TrainingProgress;
import io.spin.data.JsonlDataset;
import io.spin.data.Sha256;
import io.spin.storage.ObjectStorage;
import io.spin.testresource.LocalStackResource;
import io.spin.stack.SharedStack;
import io.spin.commons.stack.StackEndpoints;

/** The trainer alone against the real stack: SFT makes pi_0, then SPIN iteration 0 makes pi_1 from written pairs. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class TrainerServiceTest {

    @Test
    void sftThenOneSpinIterationFormACheckpointChain() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port); // readiness waits for the service's start-up work (log replay, stream threads)
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        StackEndpoints e = SharedStack.endpoints();
        String run = "trainer-" + UUID.randomUUID().toString().substring(0, 8);
        String dataset = "ds-" + run;
        byte[] sixteenLines = (String.join("\n", java.nio.file.Files.readAllLines(Path.of("../data/wordnet/train.jsonl")).subList(0, 16)) + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var examples = JsonlDataset.parse("train.jsonl", sixteenLines);
        ControlEvents events = new ControlEvents("test");
        ObjectStorage storage = e.objectStorage();
        // the datasets and pairs as the orchestrator and pair builder record them: copies in object storage, no topic scans
        ObjectRef copy = DatasetCopies.store(storage, "train.jsonl", sixteenLines);
        RunConfig config = RunConfig.newBuilder().setTrainDatasetId(dataset).setTrainPromptCount(16).setEvalDatasetId(dataset)
                .setEvalPromptCount(16).setTrainDataset(copy).setEvalDataset(copy).setIterations(2).setBetas(List.of(0.1))
                .setLearningRates(List.of(1e-3)).setModelPreset("tiny")
                .setSftEpochs(2).setSftLearningRate(3e-3).setBatchSize(8).setMaxPromptTokens(64).setMaxResponseTokens(64)
                .setLossType(LossType.SIGMOID).setSampling(SamplingParams.newBuilder().setMaxNewTokens(24).build())
                .setConvergence(ConvergenceCriteria.newBuilder().build()).build();
        try (ControlPublisher control = new ControlPublisher(e.kafkaBootstrap(), e.registryApiV3(), SpinTopic.CONTROL)) {
            control.publish(events.of(run, RunRequested.newBuilder().setConfig(config).build()));
            control.publish(events.of(run, SftRequested.newBuilder().build()));

            CheckpointReady sft = await(e, run, c -> c.getIteration() == -1);
            assertNull(sft.getParent());
            assertTrue(Double.isFinite(sft.getTraining().getLoss()));
            assertEquals(4, sft.getTraining().getSteps(), "2 epochs x 16 of the file's examples (train prompt count) / batch 8");
            assertNotNull(sft.getEval());
            assertTrue(sft.getEval().getHumanLogpPerToken() < 0);

            control.publish(events.of(run, IterationStarted.newBuilder().setIteration(0).setPolicy(sft.getCheckpoint()).setPromptCount(16)
                    .setSamplesPerPrompt(1).setExpectedPairs(16).setBeta(0.1).setLearningRate(1e-3).build()));
            List<PreferencePair> pairs = examples.stream().map(x -> PreferencePair.newBuilder().setRunId(run).setIteration(0)
                    .setDatasetId(dataset).setPromptId(x.id()).setSampleIndex(0).setPrompt(x.prompt()).setChosen(x.response())
                    .setRejected("a thing").setRejectedLogProb(-9).setExactMatch(false).setSimilarity(0.1).setProducerId("test").build()).toList();
            ObjectRef snapshot = putSnapshot(storage, "runs/" + run + "/iter-0/pairs.jsonl", PairSnapshot.jsonl(pairs));
            control.publish(events.of(run, PairsCompleted.newBuilder().setIteration(0).setPairCount(16).setExactMatchRate(0)
                    .setMeanSimilarity(0.1).setSnapshot(snapshot).build()));
            CheckpointReady spin = await(e, run, c -> c.getIteration() == 0);
            assertEquals(sft.getCheckpoint(), spin.getParent(), "pi_1's parent is pi_0");
            assertEquals(List.of(0), spin.getTraining().getWindowIterations());
            assertEquals(2, spin.getTraining().getSteps());
            // two steps on a tiny model move the metrics by thousandths, either way (thread scheduling decides): the maths
            // is checked with hand numbers in spin-core; here, that the stage ran, reported consistently and changed weights
            var m = spin.getTraining();
            assertTrue(Double.isFinite(m.getLoss()) && m.getLogpsReal() < 0 && m.getLogpsGenerated() < 0, m.toString());
            assertEquals(m.getRewardsReal() - m.getRewardsGenerated(), m.getRewardsMargin(), 1e-9, m.toString());
            assertNotEquals(paramsSha(storage, sft.getCheckpoint()), paramsSha(storage, spin.getCheckpoint()), "training changed the weights");
            assertNotNull(spin.getTimings());
            assertTrue(spin.getTimings().getTrainSeconds() > 0 && spin.getTimings().getReferenceSeconds() > 0, spin.getTimings().toString());
            // not the last iteration: the checkpoint goes out first (iteration 1 starts on it), then again with its eval
            assertNull(spin.getEval(), "reported before its eval");
            CheckpointReady evaluated = await(e, run, c -> c.getIteration() == 0 && c.getEval() != null);
            assertEquals(spin.getCheckpoint(), evaluated.getCheckpoint(), "the same checkpoint, now evaluated");
            assertEquals(spin.getTraining(), evaluated.getTraining());
            assertNotNull(evaluated.getEval().getRewardAccuracy());
            assertTrue(evaluated.getEval().getHumanLogpPerToken() < 0);
            assertTrue(evaluated.getTimings().getEvalSeconds() > spin.getTimings().getEvalSeconds(), evaluated.getTimings().toString());
            // lineage: pi_1 -> the snapshot it was trained on -> pi_0, which generated it
            String manifest = new String(storage.getBytes(storage.keyOf(spin.getCheckpoint().getUri() + "manifest.json")),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(manifest.contains(snapshot.getSha256()) && manifest.contains(sft.getCheckpoint().getManifestSha256()), manifest);
            // in-iteration saves (one after every step in tests) are deleted once the iteration's checkpoint exists
            assertEquals(List.of(), storage.list("runs/" + run + "/iter-0/partial/"), "SFT's in-iteration saves");
            assertEquals(List.of(), storage.list("runs/" + run + "/iter-1/partial/"), "SPIN iteration 0's in-iteration saves");

            assertNull(spin.getParentEval(), "pi_0 came from SFT, which evaluated it");

            // a run that brings its own pi_0 (SFT skipped): iteration 0 evaluates it first, as SFT would have
            String own = run + "-own";
            control.publish(events.of(own, RunRequested.newBuilder().setConfig(RunConfig.newBuilder(config).setIterations(1)
                    .setSftCheckpoint(sft.getCheckpoint()).build()).build()));
            control.publish(events.of(own, IterationStarted.newBuilder().setIteration(0).setPolicy(sft.getCheckpoint()).setPromptCount(16)
                    .setSamplesPerPrompt(1).setExpectedPairs(16).setBeta(0.1).setLearningRate(1e-3).build()));
            List<PreferencePair> ownPairs = pairs.stream().map(p -> PreferencePair.newBuilder(p).setRunId(own).build()).toList();
            control.publish(events.of(own, PairsCompleted.newBuilder().setIteration(0).setPairCount(16).setExactMatchRate(0)
                    .setMeanSimilarity(0.1).setSnapshot(putSnapshot(storage, "runs/" + own + "/iter-0/pairs.jsonl", PairSnapshot.jsonl(ownPairs)))
                    .build()));
            CheckpointReady ownFirst = await(e, own, c -> c.getIteration() == 0);
            assertNotNull(ownFirst.getParentEval());
            assertEquals(sft.getEval().getHumanLogpPerToken(), ownFirst.getParentEval().getHumanLogpPerToken(), 1e-5,
                    "the same model on the same eval set, measured the same way");

            // a run whose SFT starts from a given model (an imported one, say) instead of a fresh one of its preset
            String based = run + "-based";
            control.publish(events.of(based, RunRequested.newBuilder().setConfig(RunConfig.newBuilder(config).setSftEpochs(1)
                    .setBaseModel(spin.getCheckpoint()).build()).build()));
            control.publish(events.of(based, SftRequested.newBuilder().build()));
            CheckpointReady basedSft = await(e, based, c -> c.getIteration() == -1);
            assertEquals(spin.getCheckpoint(), basedSft.getParent(), "SFT started from the base model");
            assertEquals(2, basedSft.getTraining().getSteps(), "1 epoch x 16 examples / batch 8");
            assertTrue(basedSft.getTraining().getLoss() < sft.getTraining().getLoss(),
                    "a trained start fits the data better than a fresh model did: " + basedSft.getTraining().getLoss() + " vs " + sft.getTraining().getLoss());
            assertNotEquals(paramsSha(storage, spin.getCheckpoint()), paramsSha(storage, basedSft.getCheckpoint()));

            // a snapshot that does not match its recorded SHA-256 fails the run, naming it
            control.publish(events.of(run, IterationStarted.newBuilder().setIteration(1).setPolicy(spin.getCheckpoint()).setPromptCount(16)
                    .setSamplesPerPrompt(1).setExpectedPairs(16).setBeta(0.1).setLearningRate(1e-3).build()));
            ObjectRef tampered = putSnapshot(storage, "runs/" + run + "/iter-1/pairs.jsonl", PairSnapshot.jsonl(pairs));
            storage.putBytes("runs/" + run + "/iter-1/pairs.jsonl", "{}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain");
            control.publish(events.of(run, PairsCompleted.newBuilder().setIteration(1).setPairCount(16).setExactMatchRate(0)
                    .setMeanSimilarity(0.1).setSnapshot(tampered).build()));
            io.spin.contract.RunFailed failed = awaitFailure(e, run);
            assertTrue(failed.getReason().contains("iter-1/pairs.jsonl is corrupt"), failed.getReason());
        }
        List<ControlEvent> history = reports(new TopicReader(e.kafkaClientConfig(), e.registryApiV3()), run);
        assertTrue(history.stream().anyMatch(ev -> ev.getPayload() instanceof TrainingProgress), "progress was reported");
    }

    private static String paramsSha(ObjectStorage storage, io.spin.contract.CheckpointRef ref) throws Exception {
        var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(storage.getBytes(storage.keyOf(ref.getUri() + "manifest.json")));
        for (var file : manifest.path("files")) {
            if (file.path("name").asText().endsWith(".params")) {
                return file.path("sha256").asText();
            }
        }
        throw new AssertionError("no parameters file in " + manifest);
    }

    private static ObjectRef putSnapshot(ObjectStorage storage, String key, byte[] jsonl) {
        storage.putBytes(key, jsonl, "application/x-ndjson");
        return ObjectRef.newBuilder().setUri(storage.uri(key)).setSha256(Sha256.of(jsonl)).setBytes(jsonl.length).build();
    }

    private static io.spin.contract.RunFailed awaitFailure(StackEndpoints e, String run) throws InterruptedException {
        TopicReader reader = new TopicReader(e.kafkaClientConfig(), e.registryApiV3());
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            for (ControlEvent event : reports(reader, run)) {
                if (event.getPayload() instanceof io.spin.contract.RunFailed f) {
                    return f;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no RunFailed within a minute");
    }

    private static CheckpointReady await(StackEndpoints e, String run, Predicate<CheckpointReady> which) throws InterruptedException {
        TopicReader reader = new TopicReader(e.kafkaClientConfig(), e.registryApiV3());
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            for (ControlEvent event : reports(reader, run)) {
                if (event.getPayload() instanceof CheckpointReady c && which.test(c)) {
                    return c;
                }
                if (event.getPayload() instanceof io.spin.contract.RunFailed f) {
                    throw new AssertionError("run failed: " + f.getReason());
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no matching CheckpointReady within 3 minutes");
    }


    /** The trainer's reports on a run (its report topic: the orchestrator, absent here, would append them to the log). */
    private static List<ControlEvent> reports(TopicReader reader, String runId) {
        List<ControlEvent> reports = new java.util.ArrayList<>();
        reader.<Object>readAll(SpinTopic.TRAINER_REPORTS.topicName(), r -> {
            if (r.value() instanceof ControlEvent ev && ev.getRunId().equals(runId)) {
                reports.add(ev);
            }
        });
        return reports;
    }
}
