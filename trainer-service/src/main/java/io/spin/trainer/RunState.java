package io.spin.trainer;

import java.util.Map;
import java.util.TreeMap;

import io.spin.contract.CheckpointReady;
import io.spin.contract.IterationStarted;
import io.spin.contract.PairsCompleted;
import io.spin.contract.RunConfig;

/** What the trainer knows of one run: a fold of its control events. */
final class RunState {
    RunConfig config;
    boolean sftRequested;
    boolean cancelled;
    final Map<Integer, IterationStarted> iterations = new TreeMap<>();
    final Map<Integer, PairsCompleted> pairs = new TreeMap<>();
    /** By the iteration that produced it: -1 for SFT (pi_0), t for pi_{t+1}. */
    final Map<Integer, CheckpointReady> checkpoints = new TreeMap<>();

    boolean active() {
        return config != null && !cancelled;
    }
}
