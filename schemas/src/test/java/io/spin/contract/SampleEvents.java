package io.spin.contract;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.avro.specific.SpecificRecord;

/** One fully populated instance of every event type, for round-trip tests (shared as a test-jar). */
public final class SampleEvents {
    private SampleEvents() {
    }

    static final CheckpointRef POLICY = CheckpointRef.newBuilder().setId("run-1/iter-0")
            .setUri("s3://spin/runs/run-1/iter-0/checkpoint/").setManifestSha256("ab".repeat(32)).build();
    static final ObjectRef SNAPSHOT = ObjectRef.newBuilder().setUri("s3://spin/runs/run-1/iter-0/pairs.jsonl")
            .setSha256("cd".repeat(32)).setBytes(12345).build();
    static final SamplingParams SAMPLING = SamplingParams.newBuilder().setTemperature(0.7).setTopP(0.9).setTopK(40)
            .setMaxNewTokens(64).build();

    public static RunConfig runConfig() {
        return RunConfig.newBuilder().setTrainDatasetId("ds-1").setTrainPromptCount(40).setEvalDatasetId("ds-2")
                .setEvalPromptCount(10).setSftCheckpoint(null).setIterations(2).setBetas(List.of(0.1, 5.0))
                .setLearningRates(List.of(5e-4)).setLossType(LossType.HINGE).setSampling(SAMPLING)
                .setConvergence(ConvergenceCriteria.newBuilder().setMeanSimilarity(0.95).build()).build();
    }

    static TrainingMetrics training() {
        return TrainingMetrics.newBuilder().setSteps(10).setSequences(80).setLoss(0.61).setRewardsReal(0.02)
                .setRewardsGenerated(-0.03).setRewardsMargin(0.05).setRewardsAccuracy(0.75).setLogpsReal(-40.5)
                .setLogpsGenerated(-55.25).setWindowIterations(List.of(0, 1)).build();
    }

    /** Events keyed by the topic they travel on. */
    public static Map<SpinTopic, List<Supplier<SpecificRecord>>> byTopic() {
        return Map.of(
                SpinTopic.CONTROL, controlEvents(),
                SpinTopic.GENERATION_REQUESTS, List.of(SampleEvents::generationRequest),
                SpinTopic.SAMPLES, List.of(SampleEvents::generatedSample),
                SpinTopic.HUMAN_RESPONSES, List.of(SampleEvents::humanResponse),
                SpinTopic.PAIRS, List.of(SampleEvents::preferencePair),
                SpinTopic.RUNS, List.of(SampleEvents::runSummary),
                SpinTopic.DEAD_LETTERS, List.of(SampleEvents::deadLetter));
    }

    static RunSummary runSummary() {
        return RunSummary.newBuilder().setRunId("run-1").setStatus(RunStatus.COMPLETED).setRequestedAt(java.time.Instant.parse("2026-11-30T10:00:00Z"))
                .setEndedAt(java.time.Instant.parse("2026-11-30T10:05:00Z")).setIterations(2).setIterationsCompleted(2)
                .setStopReason("max iterations (2)").build();
    }

    static List<Supplier<SpecificRecord>> controlEvents() {
        return List.of(
                () -> control(RunRequested.newBuilder().setConfig(runConfig()).setRequestedBy("cli").build()),
                () -> control(SftRequested.newBuilder().build()),
                () -> control(IterationStarted.newBuilder().setIteration(1).setPolicy(POLICY).setPromptCount(40)
                        .setSamplesPerPrompt(2).setExpectedPairs(80).setBeta(0.1).setLearningRate(5e-4).build()),
                () -> control(GenerationProgress.newBuilder().setIteration(1).setReceived(0).setExpected(80)
                        .setPairsFrom(List.of(new PartitionOffsets(0, 120L))).setSamplesFrom(List.of(new PartitionOffsets(1, 7L))).build()),
                () -> control(PairsCompleted.newBuilder().setIteration(1).setPairCount(80).setSnapshot(SNAPSHOT)
                        .setExactMatchRate(0.05).setMeanSimilarity(0.41).setTokensPerSecond(812.5)
                        .setPairOffsets(List.of(new PartitionOffsets(0, 17L), new PartitionOffsets(3, 4L))).build()),
                () -> control(TrainingProgress.newBuilder().setIteration(-1).setStep(3).setTotalSteps(20).setLoss(2.5).build()),
                () -> control(CheckpointReady.newBuilder().setIteration(1).setCheckpoint(POLICY).setParent(POLICY)
                        .setTraining(training()).setEval(EvalMetrics.newBuilder().setHumanLogpPerToken(-1.25)
                                .setExactMatchRate(0.1).setMeanSimilarity(0.5).setRewardAccuracy(0.6).setPrompts(10).build())
                        .setTrainingPairs(SNAPSHOT).build()),
                () -> control(CancelRequested.newBuilder().build()),
                () -> control(RunCompleted.newBuilder().setStatus(RunEndStatus.COMPLETED).setStopReason("max iterations (2)")
                        .setIterationsCompleted(2).setFinalCheckpoint(POLICY).build()),
                () -> control(RunFailed.newBuilder().setReason("manifest.json: SHA-256 mismatch").setComponent("trainer")
                        .setIteration(1).build()));
    }

    public static ControlEvent control(Object payload) {
        return ControlEvent.newBuilder().setRunId("run-1").setEventId("evt-" + payload.getClass().getSimpleName())
                .setProducerId("test-1").setTimestamp(Instant.ofEpochMilli(1_790_000_000_000L)).setPayload(payload).build();
    }

    public static GenerationRequest generationRequest() {
        return GenerationRequest.newBuilder().setRunId("run-1").setIteration(1).setDatasetId("ds-1").setPromptId("p/07")
                .setSampleIndex(1).setPrompt("Define: lighthouse").setPolicy(POLICY).setSampling(SAMPLING)
                .setMaxPromptTokens(128).setSeed(42L).setProducerId("orchestrator-1").build();
    }

    public static GeneratedSample generatedSample() {
        return GeneratedSample.newBuilder().setRunId("run-1").setIteration(1).setDatasetId("ds-1").setPromptId("p/07")
                .setSampleIndex(1).setText("a tower with a light — ünïcødé").setTokenCount(33).setLogProb(-71.125)
                .setFinishReason(FinishReason.EOS).setPolicyId("run-1/iter-1").setReplicaId("generator-a")
                .setGenerationMillis(250).build();
    }

    public static HumanResponse humanResponse() {
        return HumanResponse.newBuilder().setDatasetId("ds-1").setPromptId("p/07").setPrompt("Define: lighthouse")
                .setResponse("a tower with a light that gives warning of shoals to passing ships")
                .setSourceFile("train.jsonl").setSourceLine(7).setProducerId("orchestrator-1").build();
    }

    public static PreferencePair preferencePair() {
        return PreferencePair.newBuilder().setRunId("run-1").setIteration(1).setDatasetId("ds-1").setPromptId("p/07")
                .setSampleIndex(1).setPrompt("Define: lighthouse").setChosen("a tower with a light")
                .setRejected("a tower").setRejectedLogProb(-12.5).setExactMatch(false).setSimilarity(0.35)
                .setProducerId("pair-builder-1").build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder().setSourceTopic("spin.samples").setPartition(3).setOffset(99L)
                .setOriginalKey(java.nio.ByteBuffer.wrap(new byte[] {1, 2})).setOriginalValue(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 9}))
                .setError("unknown magic byte").setErrorClass("org.apache.kafka.common.errors.SerializationException")
                .setConsumer("pair-builder-1").setFailedAt(Instant.ofEpochMilli(1_790_000_000_000L)).build();
    }
}
