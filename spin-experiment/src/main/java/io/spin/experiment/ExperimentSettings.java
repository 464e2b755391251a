package io.spin.experiment;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import io.spin.core.train.LossType;
import io.spin.data.model.LoraConfig;

/**
 * One experiment: the data, pi_0's SFT, the SPIN iterations and the grid of SPIN settings to compare.
 *
 * Paths are written to JSON as given (relative stays relative).
 *
 * @param window iterations whose pairs each SPIN iteration trains on (1 = only the newest)
 * @param betas, learningRates, nllCoefficients the grid: every combination is one SPIN arm
 * @param baseModel a Hugging Face model directory (GPT2LMHeadModel) that SFT starts from instead of a fresh model of
 *                  the preset, or null
 * @param lora LoRA adapters (fresh on pi_0, base frozen) that SPIN and continued SFT train instead of every weight, or
 *             null; pi_0's SFT stays full
 * @param microBatch examples per forward and backward pass of every training step (0: the whole batch)
 * @param checkpointLayers activation checkpointing per decoder layer in every training step
 */
public record ExperimentSettings(@JsonSerialize(using = ToStringSerializer.class) Path trainFile,
                                 @JsonSerialize(using = ToStringSerializer.class) Path evalFile, String modelPreset, int iterations, int sftEpochs,
                                 double sftLearningRate, int epochs, int batchSize, int samplesPerPrompt, int window,
                                 int maxPromptTokens, int maxResponseTokens, int maxNewTokens, double temperature, LossType loss,
                                 long seed, List<Double> betas, List<Double> learningRates, List<Double> nllCoefficients,
                                 @JsonSerialize(using = ToStringSerializer.class) Path baseModel, LoraConfig lora, int microBatch,
                                 boolean checkpointLayers) {
    public ExperimentSettings {
        require(microBatch >= 0 && microBatch <= batchSize, "--micro-batch must be in 0..--batch-size (" + batchSize + "), not " + microBatch);
        require(iterations >= 1, "--iterations must be >= 1, not " + iterations);
        require(sftEpochs >= 1 && epochs >= 1, "--sft-epochs and --epochs must be >= 1");
        require(batchSize >= 1 && samplesPerPrompt >= 1, "--batch-size and --samples must be >= 1");
        require(window >= 1 && window <= iterations, "--window must be in 1.." + iterations + ", not " + window);
        require(maxNewTokens >= 1, "--max-new-tokens must be >= 1");
        require(!betas.isEmpty() && betas.stream().allMatch(b -> b > 0 && Double.isFinite(b)), "every --beta must be > 0: " + betas);
        require(!learningRates.isEmpty() && learningRates.stream().allMatch(x -> x > 0 && Double.isFinite(x)),
                "every --lr must be > 0: " + learningRates);
        require(!nllCoefficients.isEmpty() && nllCoefficients.stream().allMatch(x -> x >= 0 && Double.isFinite(x)),
                "every --nll must be >= 0: " + nllCoefficients);
        betas = List.copyOf(betas);
        learningRates = List.copyOf(learningRates);
        nllCoefficients = List.copyOf(nllCoefficients);
    }

    /** One SPIN arm of the grid. */
    public record Arm(double beta, double learningRate, double nllCoefficient) {
        public String label() {
            return "SPIN beta=" + beta + " lr=" + learningRate + " nll=" + nllCoefficient;
        }
    }

    public List<Arm> arms() {
        return betas.stream().flatMap(b -> learningRates.stream().flatMap(lr -> nllCoefficients.stream().map(n -> new Arm(b, lr, n))))
                .toList();
    }

    /** Pairs SPIN iteration t trains on, for {@code prompts} training prompts. */
    public int pairsAt(int t, int prompts) {
        return prompts * samplesPerPrompt * Math.min(t + 1, window);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
