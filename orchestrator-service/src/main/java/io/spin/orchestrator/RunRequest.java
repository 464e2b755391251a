package io.spin.orchestrator;

import java.util.List;

/**
 * POST /runs. Only trainDataset is required. beta and learningRate take one number or one per iteration (a shorter
 * list repeats its last value). Datasets are paths under the orchestrator's data folder, or s3:// objects of its bucket.
 * generationStallSeconds: an iteration whose generation makes no progress for this long fails the run (default 1800).
 */
public record RunRequest(
        String trainDataset,
        String evalDataset,
        Checkpoint sftCheckpoint,
        Checkpoint baseModel,
        Integer sftEpochs,
        Double sftLearningRate,
        String modelPreset,
        Integer iterations,
        List<Double> beta,
        List<Double> learningRate,
        String lossType,
        Double nllCoefficient,
        Integer window,
        Integer epochs,
        Integer batchSize,
        Integer microBatch,
        Boolean checkpointLayers,
        Double warmupRatio,
        Integer maxPromptTokens,
        Integer maxResponseTokens,
        Sampling sampling,
        Integer samplesPerPrompt,
        Long seed,
        Convergence convergence,
        Integer generationStallSeconds,
        Lora lora,
        String requestedBy) {

    /** A checkpoint: sftCheckpoint (SPIN starts from it, no SFT) or baseModel (SFT starts from it). */
    public record Checkpoint(String uri, String manifestSha256) {
    }

    /** LoRA instead of full fine-tuning: rank (r), alpha (lora_alpha), targets (default: every projection). */
    public record Lora(Integer rank, Double alpha, List<String> targets) {
    }

    public record Sampling(Double temperature, Double topP, Integer topK, Integer maxNewTokens) {
    }

    /** Stop early when generated responses reach either threshold (the game's equilibrium). */
    public record Convergence(Double exactMatchRate, Double meanSimilarity) {
    }
}
