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
        assertNull(RunReport.timings(it).get("wall"), "nothing to say before the iteration ends");
        it.pairs = PairsCompleted.newBuilder().setIteration(0).setPairCount(4).setExactMatchRate(0).setMeanSimilarity(0)
                .setSnapshot(ObjectRef.newBuilder().setUri("s3://spin/p").setSha256("0".repeat(64)).setBytes(1).build())
                .setGenerationSeconds(40).setPairingSeconds(2).build();
        it.checkpoint = CheckpointReady.newBuilder().setIteration(0)
                .setCheckpoint(CheckpointRef.newBuilder().setId("c").setUri("s3://spin/c/").setManifestSha256("0".repeat(64)).build())
                .setTraining(TrainingMetrics.newBuilder().setSteps(1).setLoss(0.5).build())
                .setTimings(StageTimings.newBuilder().setLoadSeconds(3).setReferenceSeconds(1).setTrainSeconds(10).setEvalSeconds(3)
                        .setUploadSeconds(1).build()).build();
        it.checkpointAt = Instant.parse("2026-11-30T08:01:00Z");
        Map<String, Object> t = RunReport.timings(it);
        assertEquals(40.0, t.get("generating"));
        assertEquals(2.0, t.get("pairing"));
        assertEquals(10.0, t.get("training"));
        assertEquals(60.0, t.get("wall"));
        assertEquals(9.0, (Double) t.get("overhead"), 1e-12, "60 - 40 generating - 1 reference - 10 training");
        assertEquals(0.15, (Double) t.get("overheadShare"), 1e-12);
    }
}
