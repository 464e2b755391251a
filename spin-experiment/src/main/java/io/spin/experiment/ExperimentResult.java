package io.spin.experiment;

import java.util.List;

import io.spin.core.eval.Evaluator;
import io.spin.core.train.TrainingSummary;

/** Everything an experiment measured; written as JSON and read back by the table and the plot. */
public record ExperimentResult(ExperimentSettings settings, int trainPrompts, int evalPrompts, Stage sft, List<Arm> spin,
                               List<Arm> continuedSft) {

    /**
     * One trained model. For a SPIN stage, {@code generated*} say how close pi_t's own samples (the rejected
     * responses it trained on) were to the human ones: the paper's stopping signal.
     *
     * @param sequences sequences that went through the policy with gradients (a SPIN pair counts two)
     */
    public record Stage(int iteration, int steps, int sequences, TrainingSummary training, Evaluator.Result eval,
                        Double generatedExactMatch, Double generatedSimilarity) {
    }

    /** A SPIN arm of the grid, or the continued-SFT baseline at one learning rate (no beta); stages are pi_1 .. pi_N. */
    public record Arm(String label, Double beta, double learningRate, double nllCoefficient, List<Stage> stages) {
    }
}
