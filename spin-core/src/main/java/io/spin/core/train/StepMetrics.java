package io.spin.core.train;

/**
 * One optimizer step, for progress bars and live curves. Means over the step's batch; reward and log-prob fields
 * are NaN for SFT steps. {@code tokens}: the tokens of the step's sequences (prompts and responses, padding excluded).
 */
public record StepMetrics(int step, int totalSteps, int epoch, int examples, double loss, double learningRate, double gradNorm,
                          double rewardsReal, double rewardsGenerated, double rewardsAccuracy, double logpsReal,
                          double logpsGenerated, long tokens) {

    static StepMetrics sft(int step, int totalSteps, int epoch, int examples, double loss, double lr, double gradNorm, long tokens) {
        return new StepMetrics(step, totalSteps, epoch, examples, loss, lr, gradNorm, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, tokens);
    }

    public double rewardsMargin() {
        return rewardsReal - rewardsGenerated;
    }
}
