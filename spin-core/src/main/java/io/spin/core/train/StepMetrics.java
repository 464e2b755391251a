package io.spin.core.train;

/**
 * One optimizer step, for progress bars and live curves. Means over the step's batch; reward and log-prob fields
 * are NaN for SFT steps.
 */
public record StepMetrics(int step, int totalSteps, int epoch, int examples, double loss, double learningRate, double gradNorm,
                          double rewardsReal, double rewardsGenerated, double rewardsAccuracy, double logpsReal,
                          double logpsGenerated) {

    static StepMetrics sft(int step, int totalSteps, int epoch, int examples, double loss, double lr, double gradNorm) {
        return new StepMetrics(step, totalSteps, epoch, examples, loss, lr, gradNorm, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN);
    }

    public double rewardsMargin() {
        return rewardsReal - rewardsGenerated;
    }
}
