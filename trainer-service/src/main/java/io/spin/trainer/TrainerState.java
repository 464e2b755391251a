package io.spin.trainer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.spin.contract.CancelRequested;
import io.spin.contract.CheckpointReady;
import io.spin.contract.ControlEvent;
import io.spin.contract.IterationStarted;
import io.spin.contract.PairsCompleted;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunFailed;
import io.spin.contract.RunRequested;
import io.spin.contract.SftRequested;

/**
 * The open runs as the control log tells them, and the training jobs that log still asks for. A run leaves memory when
 * it ends: nothing is trained for it after that, and every question about it is answered "ended".
 */
final class TrainerState {
    /** A training job: SFT (iteration -1) or SPIN iteration t. */
    record Job(String runId, int iteration) {
        boolean sft() {
            return iteration < 0;
        }
    }

    private final Map<String, RunState> runs = new HashMap<>();

    synchronized void apply(ControlEvent event) {
        Object payload = event.getPayload();
        if (payload instanceof RunCompleted || payload instanceof RunFailed) {
            runs.remove(event.getRunId());
            io.spin.commons.SpinMeters.runEnded(event.getRunId());
            return;
        }
        RunState run = runs.computeIfAbsent(event.getRunId(), id -> new RunState());
        if (payload instanceof RunRequested r) {
            run.config = r.getConfig();
        } else if (payload instanceof SftRequested) {
            run.sftRequested = true;
        } else if (payload instanceof IterationStarted s) {
            run.iterations.put(s.getIteration(), s);
        } else if (payload instanceof PairsCompleted p) {
            run.pairs.put(p.getIteration(), p);
        } else if (payload instanceof CheckpointReady c) {
            run.checkpoints.put(c.getIteration(), c);
        } else if (payload instanceof CancelRequested) {
            run.cancelled = true;
        }
    }

    /** Whether the log holds the run open (requested, not ended). */
    synchronized boolean open(String runId) {
        return runs.containsKey(runId);
    }

    synchronized RunState run(String runId) {
        return runs.get(runId);
    }

    synchronized boolean isCancelled(String runId) {
        RunState run = runs.get(runId);
        return run == null || run.cancelled;
    }

    /** Jobs the log asks for and no checkpoint answers yet, oldest run first within the map's order. */
    synchronized List<Job> pending() {
        List<Job> jobs = new ArrayList<>();
        runs.forEach((id, run) -> {
            if (!run.active()) {
                return;
            }
            if (run.sftRequested && !run.checkpoints.containsKey(-1)) {
                jobs.add(new Job(id, -1));
            }
            for (int t : run.pairs.keySet()) {
                if (!run.checkpoints.containsKey(t) && run.iterations.containsKey(t)) {
                    jobs.add(new Job(id, t));
                }
            }
        });
        return jobs;
    }
}
