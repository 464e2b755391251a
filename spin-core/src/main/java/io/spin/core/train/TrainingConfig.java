package io.spin.core.train;

/**
 * Optimisation settings shared by SFT and SPIN.
 *
 * @param epochs passes over the data
 * @param batchSize examples (or pairs) per optimizer step
 * @param learningRate peak learning rate
 * @param warmupRatio fraction of steps spent warming up linearly
 * @param weightDecay AdamW decoupled weight decay on weight matrices
 * @param maxGradNorm global gradient-norm clip; 0 disables it
 * @param seed fixes the data order
 * @param microBatch examples per forward and backward pass, their gradients accumulated into one step of batchSize
 *                   (the loss and the gradient those of the whole batch; activations follow the micro-batch); 0 = the
 *                   whole batch at once
 * @param checkpointLayers activation checkpointing per decoder layer: a pass keeps each layer's input only and recomputes
 *                         the layer in the backward (the same gradients, about one more forward of compute)
 */
public record TrainingConfig(int epochs, int batchSize, double learningRate, double warmupRatio, double weightDecay,
                             double maxGradNorm, long seed, int microBatch, boolean checkpointLayers) {
    public TrainingConfig(int epochs, int batchSize, double learningRate, double warmupRatio, double weightDecay, double maxGradNorm,
                          long seed, int microBatch) {
        this(epochs, batchSize, learningRate, warmupRatio, weightDecay, maxGradNorm, seed, microBatch, false);
    }

    public TrainingConfig(int epochs, int batchSize, double learningRate, double warmupRatio, double weightDecay, double maxGradNorm,
                          long seed) {
        this(epochs, batchSize, learningRate, warmupRatio, weightDecay, maxGradNorm, seed, 0, false);
    }

    public TrainingConfig {
        if (microBatch < 0) {
            throw new IllegalArgumentException("microBatch must be >= 0 (0: the whole batch at once), not " + microBatch);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, not " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, not " + batchSize);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be > 0, not " + learningRate);
        }
        if (!(warmupRatio >= 0 && warmupRatio < 1)) {
            throw new IllegalArgumentException("warmupRatio must be in [0, 1), not " + warmupRatio);
        }
        if (weightDecay < 0 || maxGradNorm < 0) {
            throw new IllegalArgumentException("weightDecay and maxGradNorm must be >= 0");
        }
    }

    public static TrainingConfig of(int epochs, int batchSize, double learningRate, long seed) {
        return new TrainingConfig(epochs, batchSize, learningRate, 0.1, 0.0, 1.0, seed);
    }

    /** Examples per forward and backward pass. */
    public int passSize() {
        return microBatch == 0 ? batchSize : Math.min(microBatch, batchSize);
    }

    public int stepsFor(int examples) {
        return epochs * ((examples + batchSize - 1) / batchSize);
    }
}
