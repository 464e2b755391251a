package io.spin.orchestrator;

import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.spin.contract.CancelRequested;
import io.spin.contract.CheckpointReady;
import io.spin.contract.ControlEvent;
import io.spin.contract.GenerationProgress;
import io.spin.contract.IterationStarted;
import io.spin.contract.PairsCompleted;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunConfig;
import io.spin.contract.RunEndStatus;
import io.spin.contract.RunFailed;
import io.spin.contract.RunRequested;
import io.spin.contract.RunStatus;
import io.spin.contract.RunSummary;
import io.spin.contract.SftRequested;
import io.spin.contract.TrainingProgress;

/** One run as its control events tell it. Applying an event twice (same eventId) changes nothing. */
final class RunView {
    /** Everything known of one SPIN iteration. */
    static final class Iteration {
        IterationStarted started;
        GenerationProgress generation;
        PairsCompleted pairs;
        TrainingProgress training;
        /** Loss by optimizer step, from the trainer's progress events (about 25 per job), for the loss curve. */
        final java.util.TreeMap<Integer, Double> losses = new java.util.TreeMap<>();
        CheckpointReady checkpoint;
        Instant startedAt;
        Instant progressAt;
        Instant pairsCompletedAt;
        Instant checkpointAt;

        /** When generation last moved: the latest progress event, or the start. */
        Instant lastProgressAt() {
            return progressAt != null && progressAt.isAfter(startedAt) ? progressAt : startedAt;
        }
    }

    final String runId;
    RunConfig config;
    String requestedBy;
    Instant requestedAt;
    Instant endedAt;
    boolean sftRequested;
    TrainingProgress sftTraining;
    final java.util.TreeMap<Integer, Double> sftLosses = new java.util.TreeMap<>();
    CheckpointReady sft;
    boolean cancelRequested;
    RunCompleted completed;
    RunFailed failed;
    final Map<Integer, Iteration> iterations = new TreeMap<>();
    /** Its datasets' rows were tombstoned once it ended, where no open run used them ({@link DatasetRelease}). */
    boolean datasetsReleased;
    private final Set<String> applied = new HashSet<>();

    RunView(String runId) {
        this.runId = runId;
    }

    void apply(ControlEvent event) {
        if (!applied.add(event.getEventId())) {
            return;
        }
        Object p = event.getPayload();
        if (p instanceof RunRequested r) {
            config = r.getConfig();
            requestedBy = r.getRequestedBy();
            requestedAt = event.getTimestamp();
        } else if (p instanceof SftRequested) {
            sftRequested = true;
        } else if (p instanceof IterationStarted s) {
            Iteration it = iteration(s.getIteration());
            it.started = s;
            it.startedAt = event.getTimestamp();
        } else if (p instanceof GenerationProgress g && g.getPairsFrom().isEmpty() && g.getSamplesFrom().isEmpty()) {
            // (the fan-out's opening one, which notes where the iteration's records begin, says nothing of progress)
            iteration(g.getIteration()).generation = g;
            iteration(g.getIteration()).progressAt = event.getTimestamp();
        } else if (p instanceof PairsCompleted c) {
            iteration(c.getIteration()).pairs = c;
            iteration(c.getIteration()).pairsCompletedAt = event.getTimestamp();
        } else if (p instanceof TrainingProgress t) {
            if (t.getIteration() < 0) {
                sftTraining = t;
                sftLosses.put(t.getStep(), t.getLoss());
            } else {
                iteration(t.getIteration()).training = t;
                iteration(t.getIteration()).losses.put(t.getStep(), t.getLoss());
            }
        } else if (p instanceof CheckpointReady c) {
            if (c.getIteration() < 0) {
                sft = c;
            } else {
                Iteration it = iteration(c.getIteration());
                if (it.checkpoint == null) {
                    it.checkpointAt = event.getTimestamp(); // the iteration ends here: a repeat only adds the eval
                }
                it.checkpoint = c;
            }
        } else if (p instanceof CancelRequested) {
            cancelRequested = true;
        } else if (p instanceof RunCompleted c && ended() == false) {
            completed = c;
            endedAt = event.getTimestamp();
        } else if (p instanceof RunFailed f && ended() == false) {
            failed = f;
            endedAt = event.getTimestamp();
        }
    }

    Iteration iteration(int t) {
        return iterations.computeIfAbsent(t, k -> new Iteration());
    }

    boolean ended() {
        return completed != null || failed != null;
    }

    String status() {
        if (failed != null) {
            return "FAILED";
        }
        if (completed != null) {
            return completed.getStatus() == RunEndStatus.CANCELLED ? "CANCELLED" : "COMPLETED";
        }
        return "RUNNING";
    }

    /** The run's entry in the run index (only for a run whose request is known). */
    RunSummary summary() {
        return RunSummary.newBuilder().setRunId(runId).setStatus(RunStatus.valueOf(status())).setRequestedAt(requestedAt)
                .setEndedAt(endedAt).setIterations(config.getIterations())
                .setIterationsCompleted((int) iterations.values().stream().filter(i -> i.checkpoint != null).count())
                .setStopReason(completed != null ? completed.getStopReason() : failed != null ? failed.getReason() : null).build();
    }

    /** Where the run is: SFT, GENERATING, TRAINING, or the end status. */
    String phase() {
        if (ended()) {
            return status();
        }
        if (iterations.isEmpty() || iterations.values().stream().allMatch(i -> i.started == null)) {
            return config != null && config.getSftCheckpoint() != null ? "STARTING" : "SFT";
        }
        Iteration last = iterations.get(currentIteration());
        return last.pairs == null ? "GENERATING" : "TRAINING";
    }

    int currentIteration() {
        int current = -1;
        for (var e : iterations.entrySet()) {
            if (e.getValue().started != null) {
                current = e.getKey();
            }
        }
        return current;
    }
}
