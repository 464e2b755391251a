package io.spin.orchestrator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.EvalMetrics;
import io.spin.contract.ObjectRef;
import io.spin.contract.PairsCompleted;
import io.spin.contract.StageTimings;
import io.spin.contract.RunConfig;
import io.spin.contract.TrainingMetrics;

/**
 * The run as JSON for GET /runs/{id} and the CLI's report file. Keys (documented in the README): runId, status,
 * stopReason, sft {checkpoint {uri, sha256}, eval}, iterations [{iteration, checkpoint {uri, sha256, parent}, pairs,
 * pairsSnapshot {uri, sha256}, generation {...}, training {...}, eval {...}}], plus progress and config.
 */
final class RunReport {
    private RunReport() {
    }

    static Map<String, Object> of(RunView run) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("runId", run.runId);
        report.put("status", run.status());
        report.put("stopReason", run.completed != null ? run.completed.getStopReason() : run.failed != null ? run.failed.getReason() : null);
        report.put("failedComponent", run.failed == null ? null : run.failed.getComponent());
        report.put("requestedAt", run.requestedAt == null ? null : run.requestedAt.toString());
        report.put("endedAt", run.endedAt == null ? null : run.endedAt.toString());
        report.put("progress", progress(run));
        Map<String, Object> sft = new LinkedHashMap<>();
        CheckpointRef sftCheckpoint = run.sft != null ? run.sft.getCheckpoint() : run.config == null ? null : run.config.getSftCheckpoint();
        sft.put("checkpoint", sftCheckpoint == null ? null : checkpoint(sftCheckpoint, null));
        sft.put("eval", run.sft != null ? eval(run.sft.getEval()) : startingModelEval(run));
        sft.put("training", run.sft == null ? null : training(run.sft.getTraining()));
        StageTimings sftTimings = run.sft == null ? null : run.sft.getTimings();
        sft.put("timings", sftTimings == null ? null : Map.of("loading", sftTimings.getLoadSeconds(), "training", sftTimings.getTrainSeconds(),
                "evaluating", sftTimings.getEvalSeconds(), "uploading", sftTimings.getUploadSeconds()));
        report.put("sft", sft);
        List<Map<String, Object>> iterations = new ArrayList<>();
        run.iterations.forEach((t, it) -> iterations.add(iteration(t, it)));
        report.put("iterations", iterations);
        report.put("config", run.config == null ? null : config(run.config));
        return report;
    }

    private static Map<String, Object> iteration(int t, RunView.Iteration it) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("iteration", t);
        CheckpointReady ready = it.checkpoint;
        m.put("checkpoint", ready == null ? null : checkpoint(ready.getCheckpoint(), ready.getParent()));
        m.put("beta", it.started == null ? null : it.started.getBeta());
        m.put("learningRate", it.started == null ? null : it.started.getLearningRate());
        m.put("pairs", it.pairs == null ? null : it.pairs.getPairCount());
        ObjectRef snapshot = it.pairs == null ? null : it.pairs.getSnapshot();
        m.put("pairsSnapshot", snapshot == null ? null : Map.of("uri", snapshot.getUri(), "sha256", snapshot.getSha256()));
        Map<String, Object> generation = new LinkedHashMap<>();
        generation.put("samples", it.pairs != null ? Integer.valueOf(it.pairs.getPairCount()) : it.generation == null ? null : it.generation.getReceived());
        generation.put("expected", it.started == null ? null : it.started.getExpectedPairs());
        generation.put("exactMatchRate", it.pairs == null ? null : it.pairs.getExactMatchRate());
        generation.put("meanSimilarity", it.pairs == null ? null : it.pairs.getMeanSimilarity());
        generation.put("tokensPerSecond", it.pairs == null ? null : it.pairs.getTokensPerSecond());
        Double seconds = it.startedAt == null || it.pairsCompletedAt == null ? null
                : Math.max(1e-3, (it.pairsCompletedAt.toEpochMilli() - it.startedAt.toEpochMilli()) / 1000.0);
        generation.put("seconds", seconds);
        generation.put("samplesPerSecond", seconds == null ? null : it.pairs.getPairCount() / seconds);
        m.put("generation", generation);
        m.put("training", ready == null ? null : training(ready.getTraining()));
        m.put("eval", ready == null ? null : eval(ready.getEval()));
        m.put("timings", timings(it));
        return m;
    }

    /**
     * Where the iteration's wall time went, in seconds: generating (start to the last sample), pairing (last sample to
     * PairsCompleted, snapshot upload included), the trainer's stages, the wall time from IterationStarted to
     * CheckpointReady, and the overhead: the part of it that is neither generating nor the trainer's compute (reference
     * log-probs and training), that is the pipeline's own cost.
     */
    static Map<String, Object> timings(RunView.Iteration it) {
        Map<String, Object> m = new LinkedHashMap<>();
        PairsCompleted pairs = it.pairs;
        boolean timedPairs = pairs != null && (pairs.getGenerationSeconds() > 0 || pairs.getPairingSeconds() > 0);
        StageTimings trainer = it.checkpoint == null ? null : it.checkpoint.getTimings();
        m.put("generating", timedPairs ? pairs.getGenerationSeconds() : null);
        m.put("pairing", timedPairs ? pairs.getPairingSeconds() : null);
        m.put("loading", trainer == null ? null : trainer.getLoadSeconds());
        m.put("reference", trainer == null ? null : trainer.getReferenceSeconds());
        m.put("training", trainer == null ? null : trainer.getTrainSeconds());
        m.put("evaluating", trainer == null ? null : trainer.getEvalSeconds());
        m.put("uploading", trainer == null ? null : trainer.getUploadSeconds());
        Double wall = it.startedAt == null || it.checkpointAt == null ? null : (it.checkpointAt.toEpochMilli() - it.startedAt.toEpochMilli()) / 1000.0;
        m.put("wall", wall);
        Double overhead = wall == null || !timedPairs || trainer == null ? null
                : Math.max(0, wall - pairs.getGenerationSeconds() - trainer.getReferenceSeconds() - trainer.getTrainSeconds());
        m.put("overhead", overhead);
        m.put("overheadShare", overhead == null || wall <= 0 ? null : overhead / wall);
        return m;
    }

    private static Map<String, Object> checkpoint(CheckpointRef ref, CheckpointRef parent) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", ref.getId());
        m.put("uri", ref.getUri());
        m.put("sha256", ref.getManifestSha256());
        m.put("parent", parent == null ? null : Map.of("id", parent.getId(), "uri", parent.getUri(), "sha256", parent.getManifestSha256()));
        return m;
    }

    private static Map<String, Object> training(TrainingMetrics t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", t.getSteps());
        m.put("sequences", t.getSequences());
        m.put("loss", t.getLoss());
        m.put("rewardsReal", t.getRewardsReal());
        m.put("rewardsGenerated", t.getRewardsGenerated());
        m.put("rewardsMargin", t.getRewardsMargin());
        m.put("rewardsAccuracy", t.getRewardsAccuracy());
        m.put("logpsReal", t.getLogpsReal());
        m.put("logpsGenerated", t.getLogpsGenerated());
        m.put("windowIterations", t.getWindowIterations());
        return m;
    }

    /** A run that brought its own pi_0 has no SFT stage: iteration 0's trainer measured pi_0 before training it. */
    private static Map<String, Object> startingModelEval(RunView run) {
        RunView.Iteration first = run.iterations.get(0);
        return first == null || first.checkpoint == null ? null : eval(first.checkpoint.getParentEval());
    }

    private static Map<String, Object> eval(EvalMetrics e) {
        if (e == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("humanLogpPerToken", e.getHumanLogpPerToken());
        m.put("exactMatchRate", e.getExactMatchRate());
        m.put("meanSimilarity", e.getMeanSimilarity());
        m.put("rewardAccuracy", e.getRewardAccuracy());
        m.put("prompts", e.getPrompts());
        return m;
    }

    /** The same keys for a run that ended before this start, from its index entry. */
    static Map<String, Object> progress(io.spin.contract.RunSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", s.getStatus().name());
        m.put("iteration", s.getIterationsCompleted() == 0 ? null : s.getIterationsCompleted() - 1);
        m.put("iterations", s.getIterations());
        return m;
    }

    private static Map<String, Object> progress(RunView run) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", run.phase());
        int t = run.currentIteration();
        m.put("iteration", t < 0 ? null : t);
        m.put("iterations", run.config == null ? null : run.config.getIterations());
        RunView.Iteration it = t < 0 ? null : run.iterations.get(t);
        m.put("generated", it == null ? null : it.pairs != null ? Integer.valueOf(it.pairs.getPairCount()) : it.generation == null ? 0 : it.generation.getReceived());
        m.put("expected", it == null || it.started == null ? null : it.started.getExpectedPairs());
        var training = it == null ? run.sftTraining : it.training;
        m.put("trainingStep", training == null ? null : training.getStep());
        m.put("trainingSteps", training == null ? null : training.getTotalSteps());
        m.put("loss", training == null ? null : training.getLoss());
        return m;
    }

    private static Map<String, Object> config(RunConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trainDatasetId", c.getTrainDatasetId());
        m.put("trainPromptCount", c.getTrainPromptCount());
        m.put("evalDatasetId", c.getEvalDatasetId());
        m.put("evalPromptCount", c.getEvalPromptCount());
        m.put("modelPreset", c.getModelPreset());
        m.put("iterations", c.getIterations());
        m.put("betas", c.getBetas());
        m.put("learningRates", c.getLearningRates());
        m.put("lossType", c.getLossType().name());
        m.put("nllCoefficient", c.getNllCoefficient());
        m.put("window", c.getWindow());
        m.put("epochs", c.getEpochs());
        m.put("batchSize", c.getBatchSize());
        m.put("samplesPerPrompt", c.getSamplesPerPrompt());
        m.put("seed", c.getSeed());
        return m;
    }
}
