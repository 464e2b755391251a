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

    /** One step's metrics from those of its passes: sums of examples and tokens, means weighted by examples. */
    static StepMetrics combine(java.util.List<StepMetrics> passes, double loss, double gradNorm) {
        StepMetrics first = passes.get(0);
        if (passes.size() == 1) {
            return new StepMetrics(first.step, first.totalSteps, first.epoch, first.examples, loss, first.learningRate, gradNorm,
                    first.rewardsReal, first.rewardsGenerated, first.rewardsAccuracy, first.logpsReal, first.logpsGenerated, first.tokens);
        }
        int examples = 0;
        long tokens = 0;
        double real = 0, generated = 0, accuracy = 0, logpsReal = 0, logpsGenerated = 0;
        for (StepMetrics p : passes) {
            examples += p.examples;
            tokens += p.tokens;
            real += p.rewardsReal * p.examples;
            generated += p.rewardsGenerated * p.examples;
            accuracy += p.rewardsAccuracy * p.examples;
            logpsReal += p.logpsReal * p.examples;
            logpsGenerated += p.logpsGenerated * p.examples;
        }
        return new StepMetrics(first.step, first.totalSteps, first.epoch, examples, loss, first.learningRate, gradNorm, real / examples,
                generated / examples, accuracy / examples, logpsReal / examples, logpsGenerated / examples, tokens);
    }

    public double rewardsMargin() {
        return rewardsReal - rewardsGenerated;
    }
}
