package io.spin.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.ObjectRef;
import io.spin.contract.PairsCompleted;
import io.spin.contract.StageTimings;
import io.spin.contract.TrainingMetrics;

/** The per-iteration timings of the report, checked by hand. */
class RunReportTest {

    @Test
    void theOverheadIsTheWallTimeThatIsNeitherGenerationNorTrainingCompute() {
        RunView.Iteration it = new RunView.Iteration();
        it.startedAt = Instant.parse("2026-11-30T08:00:00Z");
        assertNull(RunReport.timings(it).wall(), "nothing to say before the iteration ends");
        it.pairs = PairsCompleted.newBuilder().setIteration(0).setPairCount(4).setExactMatchRate(0).setMeanSimilarity(0)
                .setSnapshot(ObjectRef.newBuilder().setUri("s3://spin/p").setSha256("0".repeat(64)).setBytes(1).build())
                .setGenerationSeconds(40).setPairingSeconds(2).build();
        it.checkpoint = CheckpointReady.newBuilder().setIteration(0)
                .setCheckpoint(CheckpointRef.newBuilder().setId("c").setUri("s3://spin/c/").setManifestSha256("0".repeat(64)).build())
                .setTraining(TrainingMetrics.newBuilder().setSteps(1).setLoss(0.5).build())
                .setTimings(StageTimings.newBuilder().setLoadSeconds(3).setReferenceSeconds(1).setTrainSeconds(10).setEvalSeconds(3)
                        .setUploadSeconds(1).build()).build();
        it.checkpointAt = Instant.parse("2026-11-30T08:01:00Z");
        RunReport.Timings t = RunReport.timings(it);
        assertEquals(40.0, t.generating());
        assertEquals(2.0, t.pairing());
        assertEquals(10.0, t.training());
        assertEquals(60.0, t.wall());
        assertEquals(9.0, t.overhead(), 1e-12, "60 - 40 generating - 1 reference - 10 training");
        assertEquals(0.15, t.overheadShare(), 1e-12);
    }

    @Test
    void aRunThatSkippedSftReportsItsStartingModelsEvalFromIterationZero() {
        RunView run = new RunView("run-s");
        CheckpointRef pi0 = CheckpointRef.newBuilder().setId("p0").setUri("s3://spin/p0/").setManifestSha256("1".repeat(64)).build();
        run.config = io.spin.contract.RunConfig.newBuilder().setTrainDatasetId("d").setTrainPromptCount(1).setIterations(1)
                .setBetas(java.util.List.of(0.1)).setLearningRates(java.util.List.of(1e-4)).setSftCheckpoint(pi0)
                .setSampling(io.spin.contract.SamplingParams.newBuilder().build())
                .setConvergence(io.spin.contract.ConvergenceCriteria.newBuilder().build()).build();
        assertNull(sftEval(run), "nothing measured yet");
        RunView.Iteration it = run.iteration(0);
        it.checkpoint = CheckpointReady.newBuilder().setIteration(0).setParent(pi0)
                .setCheckpoint(CheckpointRef.newBuilder().setId("p1").setUri("s3://spin/p1/").setManifestSha256("2".repeat(64)).build())
                .setTraining(TrainingMetrics.newBuilder().setSteps(1).setLoss(0.5).build())
                .setParentEval(io.spin.contract.EvalMetrics.newBuilder().setHumanLogpPerToken(-2.5).setExactMatchRate(0.25)
                        .setMeanSimilarity(0.5).setPrompts(4).build()).build();
        Map<?, ?> eval = sftEval(run);
        assertEquals(-2.5, eval.get("humanLogpPerToken"));
        assertEquals(0.25, eval.get("exactMatchRate"));
    }

    private static Map<?, ?> sftEval(RunView run) {
        RunReport.Eval eval = RunReport.of(run).sft().eval();
        return eval == null ? null : new com.fasterxml.jackson.databind.ObjectMapper().convertValue(eval, Map.class);
    }
}
