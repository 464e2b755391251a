package io.spin.orchestrator;

import java.time.Duration;
import java.time.Instant;

import io.spin.contract.CheckpointRef;
import io.spin.contract.ConvergenceCriteria;
import io.spin.contract.PairsCompleted;
import io.spin.contract.RunEndStatus;

/**
 * What a run needs next, decided from its state and the time alone, so the same state always gives the same step,
 * before and after a restart: request SFT, start iteration t from a policy, end or fail the run, or wait.
 */
sealed interface NextStep {
    record RequestSft() implements NextStep {
    }

    record StartIteration(int iteration, CheckpointRef policy) implements NextStep {
    }

    record End(RunEndStatus status, String reason, CheckpointRef finalCheckpoint) implements NextStep {
    }

    record Fail(String reason, Integer iteration) implements NextStep {
    }

    record Wait() implements NextStep {
    }

    static NextStep of(RunView run, Instant now) {
        if (run.config == null || run.ended()) {
            return new Wait();
        }
        CheckpointRef latest = latestPolicy(run);
        if (run.cancelRequested) {
            return new End(RunEndStatus.CANCELLED, "cancelled by user", latest);
        }
        if (latest == null) {
            return run.sftRequested ? new Wait() : new RequestSft();
        }
        int t = run.currentIteration();
        if (t < 0) {
            return new StartIteration(0, latest);
        }
        RunView.Iteration current = run.iterations.get(t);
        if (current.pairs != null && current.checkpoint == null) {
            String converged = converged(run.config.getConvergence(), current.pairs);
            if (converged != null) {
                return new End(RunEndStatus.COMPLETED, "converged at iteration " + t + ": " + converged, current.started.getPolicy());
            }
        }
        if (current.pairs == null) {
            Duration quiet = Duration.between(current.lastProgressAt(), now);
            int stall = run.config.getGenerationStallSeconds();
            if (quiet.toSeconds() >= stall) {
                int received = current.generation == null ? 0 : current.generation.getReceived();
                return new Fail("iteration " + t + ": no generation progress for " + quiet.toSeconds() + " s (limit "
                        + stall + " s); " + received + " of " + current.started.getExpectedPairs() + " pairs had arrived", t);
            }
        }
        if (current.checkpoint != null) {
            if (t + 1 >= run.config.getIterations()) {
                return new End(RunEndStatus.COMPLETED, "max iterations (" + run.config.getIterations() + ") reached",
                        current.checkpoint.getCheckpoint());
            }
            return new StartIteration(t + 1, current.checkpoint.getCheckpoint());
        }
        return new Wait();
    }

    /** pi_t of the next iteration to start: the newest checkpoint, or the given SFT checkpoint. */
    private static CheckpointRef latestPolicy(RunView run) {
        for (int t = run.currentIteration(); t >= 0; t--) {
            RunView.Iteration it = run.iterations.get(t);
            if (it != null && it.checkpoint != null) {
                return it.checkpoint.getCheckpoint();
            }
        }
        if (run.sft != null) {
            return run.sft.getCheckpoint();
        }
        return run.config.getSftCheckpoint();
    }

    private static String converged(ConvergenceCriteria c, PairsCompleted pairs) {
        if (c.getExactMatchRate() != null && pairs.getExactMatchRate() >= c.getExactMatchRate()) {
            return "exact-match rate " + pairs.getExactMatchRate() + " >= threshold " + c.getExactMatchRate();
        }
        if (c.getMeanSimilarity() != null && pairs.getMeanSimilarity() >= c.getMeanSimilarity()) {
            return "mean similarity " + pairs.getMeanSimilarity() + " >= threshold " + c.getMeanSimilarity();
        }
        return null;
    }
}
