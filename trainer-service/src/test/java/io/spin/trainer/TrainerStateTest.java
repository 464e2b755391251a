package io.spin.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.spin.commons.ControlEvents;
import io.spin.contract.ConvergenceCriteria;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunConfig;
import io.spin.contract.RunEndStatus;
import io.spin.contract.RunFailed;
import io.spin.contract.RunRequested;
import io.spin.contract.SamplingParams;
import io.spin.contract.SftRequested;

/** The jobs the control log asks for, and memory that follows the open runs. */
class TrainerStateTest {
    private static final ControlEvents EVENTS = new ControlEvents("test");

    private static void request(TrainerState state, String run) {
        state.apply(EVENTS.of(run, RunRequested.newBuilder().setConfig(RunConfig.newBuilder().setTrainDatasetId("ds").setTrainPromptCount(4)
                .setIterations(1).setBetas(List.of(0.1)).setLearningRates(List.of(1e-3)).setSampling(new SamplingParams())
                .setConvergence(new ConvergenceCriteria()).build()).build()));
        state.apply(EVENTS.of(run, SftRequested.newBuilder().build()));
    }

    @Test
    void anEndedRunLeavesMemoryAndAsksForNothing() {
        TrainerState state = new TrainerState();
        request(state, "a");
        request(state, "b");
        assertEquals(List.of(new TrainerState.Job("a", -1), new TrainerState.Job("b", -1)),
                state.pending().stream().sorted(java.util.Comparator.comparing(TrainerState.Job::runId)).toList());
        state.apply(EVENTS.of("a", RunCompleted.newBuilder().setStatus(RunEndStatus.CANCELLED).setStopReason("x").setIterationsCompleted(0).build()));
        state.apply(EVENTS.of("b", RunFailed.newBuilder().setComponent("generator").setReason("y").build()));
        assertFalse(state.open("a") || state.open("b"), "both left memory");
        assertEquals(List.of(), state.pending());
        assertTrue(state.isCancelled("a") && state.isCancelled("b"), "a job still running sees its run ended");
    }
}
