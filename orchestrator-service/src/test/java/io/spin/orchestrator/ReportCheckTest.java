package io.spin.orchestrator;

import static io.spin.contract.ServicePrincipal.GENERATOR;
import static io.spin.contract.ServicePrincipal.PAIR_BUILDER;
import static io.spin.contract.ServicePrincipal.TRAINER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.spin.commons.ControlEvents;
import io.spin.contract.CancelRequested;
import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.ControlEvent;
import io.spin.contract.ConvergenceCriteria;
import io.spin.contract.GenerationProgress;
import io.spin.contract.IterationStarted;
import io.spin.contract.ObjectRef;
import io.spin.contract.PairsCompleted;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunConfig;
import io.spin.contract.RunEndStatus;
import io.spin.contract.RunFailed;
import io.spin.contract.RunRequested;
import io.spin.contract.SamplingParams;
import io.spin.contract.SftRequested;
import io.spin.contract.TrainingMetrics;

/** Which reports reach the control log, as a pure function of the reporter, the report and the run. */
class ReportCheckTest {
    private static final ControlEvents SERVICE = new ControlEvents("service-1");
    private static final CheckpointRef PI = CheckpointRef.newBuilder().setId("r/iter-0").setUri("s3://spin/r/").setManifestSha256("ab".repeat(32)).build();
    private static final ObjectRef SNAPSHOT = ObjectRef.newBuilder().setUri("s3://spin/r/pairs.jsonl").setSha256("cd".repeat(32)).setBytes(1).build();

    private static RunView run() {
        RunView run = new RunView("r");
        RunConfig config = RunConfig.newBuilder().setTrainDatasetId("ds").setTrainPromptCount(10).setIterations(2)
                .setBetas(List.of(0.1)).setLearningRates(List.of(1e-3)).setSampling(SamplingParams.newBuilder().build())
                .setConvergence(ConvergenceCriteria.newBuilder().build()).build();
        run.apply(SERVICE.of("r", RunRequested.newBuilder().setConfig(config).build()));
        run.apply(SERVICE.of("r", SftRequested.newBuilder().build()));
        return run;
    }

    private static ControlEvent checkpoint(int iteration) {
        return SERVICE.of("r", CheckpointReady.newBuilder().setIteration(iteration).setCheckpoint(PI)
                .setTraining(TrainingMetrics.newBuilder().setSteps(1).setLoss(1).build()).build());
    }

    private static ControlEvent pairs(int iteration) {
        return SERVICE.of("r", PairsCompleted.newBuilder().setIteration(iteration).setPairCount(10).setExactMatchRate(0).setMeanSimilarity(0)
                .setSnapshot(SNAPSHOT).build());
    }

    private static final ControlEvent FAILED = SERVICE.of("r", RunFailed.newBuilder().setComponent("generator").setReason("no model").build());

    @Test
    void aServiceCannotDecideWhatOnlyTheOrchestratorDecides() {
        for (var reporter : List.of(GENERATOR, PAIR_BUILDER, TRAINER)) {
            for (Object decision : List.of(CancelRequested.newBuilder().build(), SftRequested.newBuilder().build(),
                    RunCompleted.newBuilder().setStatus(RunEndStatus.COMPLETED).setStopReason("x").setIterationsCompleted(0).build())) {
                ReportCheck.Refuse refuse = assertInstanceOf(ReportCheck.Refuse.class,
                        ReportCheck.of(reporter, "r", SERVICE.of("r", decision), run(), false), reporter + " " + decision);
                assertEquals(reporter.user() + " may not report " + decision.getClass().getSimpleName() + " (on "
                        + reporter.reportTopic().topicName() + ")", refuse.reason());
            }
        }
    }

    @Test
    void checkpointsComeFromTheTrainerAndSnapshotsFromThePairBuilderAlone() {
        assertInstanceOf(ReportCheck.Refuse.class, ReportCheck.of(GENERATOR, "r", checkpoint(-1), run(), false));
        assertInstanceOf(ReportCheck.Refuse.class, ReportCheck.of(PAIR_BUILDER, "r", checkpoint(-1), run(), false));
        assertInstanceOf(ReportCheck.Append.class, ReportCheck.of(TRAINER, "r", checkpoint(-1), run(), false));
        RunView run = run();
        run.apply(checkpoint(-1));
        run.apply(SERVICE.of("r", IterationStarted.newBuilder().setIteration(0).setPolicy(PI).setPromptCount(10).setSamplesPerPrompt(1)
                .setExpectedPairs(10).setBeta(0.1).setLearningRate(1e-3).build()));
        assertInstanceOf(ReportCheck.Refuse.class, ReportCheck.of(TRAINER, "r", pairs(0), run, false));
        assertInstanceOf(ReportCheck.Refuse.class, ReportCheck.of(GENERATOR, "r", pairs(0), run, false));
        assertInstanceOf(ReportCheck.Append.class, ReportCheck.of(PAIR_BUILDER, "r", pairs(0), run, false));
        assertInstanceOf(ReportCheck.Append.class, ReportCheck.of(PAIR_BUILDER, "r",
                SERVICE.of("r", GenerationProgress.newBuilder().setIteration(0).setReceived(3).setExpected(10).build()), run, false));
        assertEquals("GenerationProgress with topic offsets: only the orchestrator notes where an iteration begins",
                assertInstanceOf(ReportCheck.Refuse.class, ReportCheck.of(PAIR_BUILDER, "r", SERVICE.of("r", GenerationProgress.newBuilder()
                        .setIteration(0).setReceived(0).setExpected(10).setPairsFrom(List.of(new io.spin.contract.PartitionOffsets(0, 99L)))
                        .build()), run, false)).reason());
    }

    @Test
    void reportsOutOfOrderAreRefusedAndRepeatsIgnored() {
        RunView run = run();
        assertEquals("a checkpoint of iteration 0 of run r, whose pairs are not complete",
                assertInstanceOf(ReportCheck.Refuse.class, ReportCheck.of(TRAINER, "r", checkpoint(0), run, false)).reason());
        assertEquals("PairsCompleted of iteration 1 of run r, which was never started",
                assertInstanceOf(ReportCheck.Refuse.class, ReportCheck.of(PAIR_BUILDER, "r", pairs(1), run, false)).reason());
        run.apply(checkpoint(-1));
        assertEquals("a second SFT checkpoint",
                assertInstanceOf(ReportCheck.Ignore.class, ReportCheck.of(TRAINER, "r", checkpoint(-1), run, false)).why());
    }

    @Test
    void anIterationsCheckpointIsReportedAgainOnceWithItsEvalAndThatRepeatAlone() {
        RunView run = run();
        run.apply(checkpoint(-1));
        run.apply(SERVICE.of("r", IterationStarted.newBuilder().setIteration(0).setPolicy(PI).setPromptCount(10).setSamplesPerPrompt(1)
                .setExpectedPairs(10).setBeta(0.1).setLearningRate(1e-3).build()));
        run.apply(pairs(0));
        java.time.Instant first = java.time.Instant.parse("2026-12-07T12:00:00Z");
        run.apply(ControlEvent.newBuilder(checkpoint(0)).setTimestamp(first).build());
        CheckpointRef other = CheckpointRef.newBuilder(PI).setManifestSha256("ef".repeat(32)).build();
        assertEquals("a second checkpoint of iteration 0", assertInstanceOf(ReportCheck.Ignore.class,
                ReportCheck.of(TRAINER, "r", checkpoint(0), run, false), "a repeat without eval").why());
        assertInstanceOf(ReportCheck.Ignore.class, ReportCheck.of(TRAINER, "r", evaluated(0, other), run, false), "another checkpoint");
        ControlEvent evaluated = ControlEvent.newBuilder(evaluated(0, PI)).setTimestamp(first.plusSeconds(7)).build();
        assertInstanceOf(ReportCheck.Append.class, ReportCheck.of(TRAINER, "r", evaluated, run, false));
        assertInstanceOf(ReportCheck.Refuse.class, ReportCheck.of(PAIR_BUILDER, "r", evaluated, run, false));
        run.apply(evaluated);
        assertEquals(-1.5, run.iterations.get(0).checkpoint.getEval().getHumanLogpPerToken());
        assertEquals(first, run.iterations.get(0).checkpointAt, "the iteration ended with the first report, not with its eval");
        assertInstanceOf(ReportCheck.Ignore.class, ReportCheck.of(TRAINER, "r", evaluated(0, PI), run, false), "only once");
    }

    private static ControlEvent evaluated(int iteration, CheckpointRef ref) {
        CheckpointReady ready = (CheckpointReady) checkpoint(iteration).getPayload();
        return SERVICE.of("r", CheckpointReady.newBuilder(ready).setCheckpoint(ref).setEval(io.spin.contract.EvalMetrics.newBuilder()
                .setHumanLogpPerToken(-1.5).setExactMatchRate(0).setMeanSimilarity(0.5).setPrompts(4).build()).build());
    }

    @Test
    void unknownRunsAreRefusedAndEndedRunsIgnored() {
        assertEquals("RunFailed names run r, which the control log does not hold",
                assertInstanceOf(ReportCheck.Refuse.class, ReportCheck.of(GENERATOR, "r", FAILED, null, false)).reason());
        assertInstanceOf(ReportCheck.Ignore.class, ReportCheck.of(GENERATOR, "r", FAILED, null, true), "ended before this start");
        RunView run = run();
        assertInstanceOf(ReportCheck.Append.class, ReportCheck.of(GENERATOR, "r", FAILED, run, false));
        run.apply(FAILED);
        assertInstanceOf(ReportCheck.Ignore.class, ReportCheck.of(TRAINER, "r", checkpoint(-1), run, false));
        assertEquals("RunFailed of run r was keyed other; a report is keyed by its run id",
                assertInstanceOf(ReportCheck.Refuse.class, ReportCheck.of(GENERATOR, "other", FAILED, run(), false)).reason());
    }

    @Test
    void anAppendedEventTakesItsIdFromTheReportersNamespace() {
        ControlEvent report = SERVICE.of("r", "pairs-completed/r/0", pairs(0).getPayload());
        ControlEvent appended = ReportCheck.appended(PAIR_BUILDER, report);
        assertEquals("spin-pair-builder:pairs-completed/r/0", appended.getEventId());
        assertEquals(report.getPayload(), appended.getPayload());
        assertEquals(report.getTimestamp(), appended.getTimestamp());
        assertEquals("service-1", appended.getProducerId());
        assertEquals("pairs-completed/r/0", report.getEventId(), "the report itself is left as it was");
    }
}
