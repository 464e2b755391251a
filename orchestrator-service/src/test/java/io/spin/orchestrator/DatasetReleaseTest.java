package io.spin.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.spin.commons.ControlEvents;
import io.spin.contract.ConvergenceCriteria;
import io.spin.contract.ObjectRef;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunConfig;
import io.spin.contract.RunEndStatus;
import io.spin.contract.RunRequested;
import io.spin.contract.SamplingParams;

/** Which datasets an ended run leaves unused, by hand. */
class DatasetReleaseTest {
    private static final ControlEvents EVENTS = new ControlEvents("test");

    private static ObjectRef copy(String id) {
        return ObjectRef.newBuilder().setUri("s3://spin/datasets/" + id + "/f.jsonl").setSha256(id).setBytes(1).build();
    }

    private static RunView run(String id, String train, String eval, boolean ended) {
        RunView run = new RunView(id);
        RunConfig.Builder c = RunConfig.newBuilder().setTrainDatasetId(train).setTrainPromptCount(3).setTrainDataset(copy(train))
                .setIterations(1).setBetas(List.of(0.1)).setLearningRates(List.of(1e-3)).setSampling(new SamplingParams())
                .setConvergence(new ConvergenceCriteria());
        if (eval != null) {
            c.setEvalDatasetId(eval).setEvalPromptCount(3).setEvalDataset(copy(eval));
        }
        run.apply(EVENTS.of(id, RunRequested.newBuilder().setConfig(c.build()).build()));
        if (ended) {
            run.apply(EVENTS.of(id, RunCompleted.newBuilder().setStatus(RunEndStatus.COMPLETED).setStopReason("x").setIterationsCompleted(1).build()));
        }
        return run;
    }

    @Test
    void aDatasetAnOpenRunStillUsesIsKeptAndTheRestReleased() {
        RunView ended = run("a", "ds-train", "ds-eval", true);
        RunView open = run("b", "ds-other", "ds-train", false); // uses a's train set as its eval set
        RunView alsoEnded = run("c", "ds-eval", null, true); // ended too: does not keep a's eval set
        assertEquals(Map.of("ds-eval", copy("ds-eval")), DatasetRelease.unused(ended, List.of(ended, open, alsoEnded)));
        assertEquals(Map.of("ds-train", copy("ds-train"), "ds-eval", copy("ds-eval")), DatasetRelease.unused(ended, List.of(ended)));
    }

    @Test
    void aDatasetWithoutACopyIsKeptForItsKeysAreNotKnown() {
        RunView old = new RunView("old");
        old.apply(EVENTS.of("old", RunRequested.newBuilder().setConfig(RunConfig.newBuilder().setTrainDatasetId("ds-old").setTrainPromptCount(3)
                .setIterations(1).setBetas(List.of(0.1)).setLearningRates(List.of(1e-3)).setSampling(new SamplingParams())
                .setConvergence(new ConvergenceCriteria()).build()).build()));
        assertEquals(Map.of(), DatasetRelease.unused(old, List.of(old)));
    }
}
