package io.spin.orchestrator;

import java.util.ArrayList;
import java.util.List;

import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.EvalMetrics;
import io.spin.contract.ObjectRef;
import io.spin.contract.PairsCompleted;
import io.spin.contract.StageTimings;
import io.spin.contract.RunConfig;
import io.spin.contract.TrainingMetrics;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The run as JSON for GET /runs/{id} and the CLI's report file, as records, so the OpenAPI document types it. Keys
 * (documented in the README): runId, status, stopReason, sft {checkpoint {uri, sha256}, eval}, iterations [{iteration, checkpoint {uri, sha256, parent}, pairs,
 * pairsSnapshot {uri, sha256}, generation {...}, training {...}, eval {...}}], plus progress and config.
 */
final class RunReport {
    private RunReport() {
    }

    /** The report; every field may be null until the run gets there. */
    @Schema(name = "RunReport")
    record Report(String runId, @Schema(enumeration = {"RUNNING", "COMPLETED", "CANCELLED", "FAILED"}) String status, String stopReason,
                  String failedComponent, String requestedAt, String endedAt, Progress progress, Sft sft, List<Iteration> iterations,
                  Config config) {
    }

    /** Where the run is now; for a run that ended before the orchestrator started, phase, iteration and iterations only. */
    record Progress(@Schema(description = "SFT, GENERATING, TRAINING, COMPLETED, CANCELLED or FAILED") String phase, Integer iteration,
                    Integer iterations, Integer generated, Integer expected, Integer trainingStep, Integer trainingSteps, Double loss) {
    }

    /** pi_0: the SFT stage, or the model the run started from (then eval is iteration 0's measure of it). */
    record Sft(Checkpoint checkpoint, Eval eval, Training training, SftTimings timings, List<StepLoss> lossCurve) {
    }

    /** The loss at an optimizer step, as the trainer reported it while training. */
    record StepLoss(int step, double loss) {
    }

    record SftTimings(double loading, double training, double evaluating, double uploading) {
    }

    record Checkpoint(String id, String uri, String sha256, Parent parent) {
    }

    record Parent(String id, String uri, String sha256) {
    }

    record Snapshot(String uri, String sha256) {
    }

    record Iteration(int iteration, Checkpoint checkpoint, Double beta, Double learningRate, Integer pairs, Snapshot pairsSnapshot,
                     Generation generation, Training training, Eval eval, Timings timings, List<StepLoss> lossCurve) {
    }

    record Generation(Integer samples, Integer expected, Double exactMatchRate, Double meanSimilarity, Double tokensPerSecond,
                      Double seconds, Double samplesPerSecond) {
    }

    record Training(int steps, int sequences, double loss, Double rewardsReal, Double rewardsGenerated, Double rewardsMargin,
                    Double rewardsAccuracy, Double logpsReal, Double logpsGenerated, List<Integer> windowIterations,
                    Double samplerLogpDiffMean, Double samplerLogpDiffMax, Integer samplerLogpCompared) {
    }

    record Eval(double humanLogpPerToken, double exactMatchRate, double meanSimilarity, Double rewardAccuracy, int prompts) {
    }

    /** Seconds; see {@link #timings}. */
    record Timings(Double generating, Double pairing, Double loading, Double reference, Double training, Double evaluating,
                   Double uploading, Double wall, Double overhead, Double overheadShare) {
    }

    record Config(String trainDatasetId, Integer trainPromptCount, String evalDatasetId, Integer evalPromptCount, String modelPreset,
                  int iterations, List<Double> betas, List<Double> learningRates, String lossType, double nllCoefficient, int window,
                  int epochs, int batchSize, int microBatch, boolean checkpointLayers, int samplesPerPrompt, long seed, Lora lora) {
    }

    /** The LoRA settings of a run that trains adapters; absent (null) for full fine-tuning. */
    record Lora(int rank, double alpha, List<String> targets) {
    }

    static Report of(RunView run) {
        CheckpointRef sftCheckpoint = run.sft != null ? run.sft.getCheckpoint() : run.config == null ? null : run.config.getSftCheckpoint();
        StageTimings sftTimings = run.sft == null ? null : run.sft.getTimings();
        Sft sft = new Sft(sftCheckpoint == null ? null : checkpoint(sftCheckpoint, null),
                run.sft != null ? eval(run.sft.getEval()) : startingModelEval(run),
                run.sft == null ? null : training(run.sft.getTraining()),
                sftTimings == null ? null : new SftTimings(sftTimings.getLoadSeconds(), sftTimings.getTrainSeconds(), sftTimings.getEvalSeconds(),
                        sftTimings.getUploadSeconds()), curve(run.sftLosses));
        List<Iteration> iterations = new ArrayList<>();
        run.iterations.forEach((t, it) -> iterations.add(iteration(t, it)));
        return new Report(run.runId, run.status(),
                run.completed != null ? run.completed.getStopReason() : run.failed != null ? run.failed.getReason() : null,
                run.failed == null ? null : run.failed.getComponent(), run.requestedAt == null ? null : run.requestedAt.toString(),
                run.endedAt == null ? null : run.endedAt.toString(), progress(run), sft, iterations, run.config == null ? null : config(run.config));
    }

    private static Iteration iteration(int t, RunView.Iteration it) {
        CheckpointReady ready = it.checkpoint;
        ObjectRef snapshot = it.pairs == null ? null : it.pairs.getSnapshot();
        Double seconds = it.startedAt == null || it.pairsCompletedAt == null ? null
                : Math.max(1e-3, (it.pairsCompletedAt.toEpochMilli() - it.startedAt.toEpochMilli()) / 1000.0);
        Generation generation = new Generation(
                it.pairs != null ? Integer.valueOf(it.pairs.getPairCount()) : it.generation == null ? null : it.generation.getReceived(),
                it.started == null ? null : it.started.getExpectedPairs(), it.pairs == null ? null : it.pairs.getExactMatchRate(),
                it.pairs == null ? null : it.pairs.getMeanSimilarity(), it.pairs == null ? null : it.pairs.getTokensPerSecond(), seconds,
                seconds == null ? null : it.pairs.getPairCount() / seconds);
        return new Iteration(t, ready == null ? null : checkpoint(ready.getCheckpoint(), ready.getParent()),
                it.started == null ? null : it.started.getBeta(), it.started == null ? null : it.started.getLearningRate(),
                it.pairs == null ? null : it.pairs.getPairCount(), snapshot == null ? null : new Snapshot(snapshot.getUri(), snapshot.getSha256()),
                generation, ready == null ? null : training(ready.getTraining()), ready == null ? null : eval(ready.getEval()), timings(it),
                curve(it.losses));
    }

    private static List<StepLoss> curve(java.util.SortedMap<Integer, Double> losses) {
        return losses.entrySet().stream().map(e -> new StepLoss(e.getKey(), e.getValue())).toList();
    }

    /**
     * Where the iteration's wall time went, in seconds: generating (start to the last sample), pairing (last sample to
     * PairsCompleted, snapshot upload included), the trainer's stages, the wall time from IterationStarted to
     * CheckpointReady, and the overhead: the part of it that is neither generating nor the trainer's compute (reference
     * log-probs and training), that is the pipeline's own cost. The wall time ends at the first CheckpointReady: the eval
     * the trainer reports with a repeat of it runs during the next iteration (it is in {@code evaluating}, not here).
     */
    static Timings timings(RunView.Iteration it) {
        PairsCompleted pairs = it.pairs;
        boolean timedPairs = pairs != null && (pairs.getGenerationSeconds() > 0 || pairs.getPairingSeconds() > 0);
        StageTimings trainer = it.checkpoint == null ? null : it.checkpoint.getTimings();
        Double wall = it.startedAt == null || it.checkpointAt == null ? null : (it.checkpointAt.toEpochMilli() - it.startedAt.toEpochMilli()) / 1000.0;
        Double overhead = wall == null || !timedPairs || trainer == null ? null
                : Math.max(0, wall - pairs.getGenerationSeconds() - trainer.getReferenceSeconds() - trainer.getTrainSeconds());
        return new Timings(timedPairs ? pairs.getGenerationSeconds() : null, timedPairs ? pairs.getPairingSeconds() : null,
                trainer == null ? null : trainer.getLoadSeconds(), trainer == null ? null : trainer.getReferenceSeconds(),
                trainer == null ? null : trainer.getTrainSeconds(), trainer == null ? null : trainer.getEvalSeconds(),
                trainer == null ? null : trainer.getUploadSeconds(), wall, overhead, overhead == null || wall <= 0 ? null : overhead / wall);
    }

    private static Checkpoint checkpoint(CheckpointRef ref, CheckpointRef parent) {
        return new Checkpoint(ref.getId(), ref.getUri(), ref.getManifestSha256(),
                parent == null ? null : new Parent(parent.getId(), parent.getUri(), parent.getManifestSha256()));
    }

    private static Training training(TrainingMetrics t) {
        return new Training(t.getSteps(), t.getSequences(), t.getLoss(), t.getRewardsReal(), t.getRewardsGenerated(), t.getRewardsMargin(),
                t.getRewardsAccuracy(), t.getLogpsReal(), t.getLogpsGenerated(), t.getWindowIterations(), t.getSamplerLogpDiffMean(),
                t.getSamplerLogpDiffMax(), t.getSamplerLogpCompared());
    }

    /** A run that brought its own pi_0 has no SFT stage: iteration 0's trainer measured pi_0 before training it. */
    private static Eval startingModelEval(RunView run) {
        RunView.Iteration first = run.iterations.get(0);
        return first == null || first.checkpoint == null ? null : eval(first.checkpoint.getParentEval());
    }

    private static Eval eval(EvalMetrics e) {
        return e == null ? null : new Eval(e.getHumanLogpPerToken(), e.getExactMatchRate(), e.getMeanSimilarity(), e.getRewardAccuracy(),
                e.getPrompts());
    }

    /** The same keys for a run that ended before this start, from its index entry. */
    static Progress progress(io.spin.contract.RunSummary s) {
        return new Progress(s.getStatus().name(), s.getIterationsCompleted() == 0 ? null : s.getIterationsCompleted() - 1, s.getIterations(),
                null, null, null, null, null);
    }

    private static Progress progress(RunView run) {
        int t = run.currentIteration();
        RunView.Iteration it = t < 0 ? null : run.iterations.get(t);
        var training = it == null ? run.sftTraining : it.training;
        return new Progress(run.phase(), t < 0 ? null : t, run.config == null ? null : run.config.getIterations(),
                it == null ? null : it.pairs != null ? Integer.valueOf(it.pairs.getPairCount()) : it.generation == null ? 0 : it.generation.getReceived(),
                it == null || it.started == null ? null : it.started.getExpectedPairs(), training == null ? null : training.getStep(),
                training == null ? null : training.getTotalSteps(), training == null ? null : training.getLoss());
    }

    private static Config config(RunConfig c) {
        return new Config(c.getTrainDatasetId(), c.getTrainPromptCount(), c.getEvalDatasetId(), c.getEvalPromptCount(), c.getModelPreset(),
                c.getIterations(), c.getBetas(), c.getLearningRates(), c.getLossType().name(), c.getNllCoefficient(), c.getWindow(), c.getEpochs(),
                c.getBatchSize(), c.getMicroBatch(), c.getCheckpointLayers(), c.getSamplesPerPrompt(), c.getSeed(),
                c.getLora() == null ? null : new Lora(c.getLora().getRank(), c.getLora().getAlpha(), List.copyOf(c.getLora().getTargets())));
    }
}
