package io.spin.core.train;

import java.util.List;

/**
 * Means over the LAST epoch (weighted by examples per step), with the names users of SPIN/TRL know:
 * loss, rewards/real, rewards/generated, rewards/margins, rewards/accuracies, logps/real, logps/generated.
 */
public record TrainingSummary(int steps, int sequences, double loss, double rewardsReal, double rewardsGenerated,
                              double rewardsMargin, double rewardsAccuracy, double logpsReal, double logpsGenerated) {

    public static TrainingSummary of(List<StepMetrics> history) {
        if (history.isEmpty()) {
            throw new IllegalArgumentException("no training steps to summarise");
        }
        StepMetrics first = history.get(0);
        StepMetrics lastStep = history.get(history.size() - 1);
        int lastEpoch = lastStep.epoch();
        // a resumed training reports only its own steps: count the ones before it too
        int sequences = history.stream().mapToInt(StepMetrics::examples).sum() + (first.step() - 1) * first.examples();
        List<StepMetrics> last = history.stream().filter(m -> m.epoch() == lastEpoch).toList();
        double n = last.stream().mapToInt(StepMetrics::examples).sum();
        double loss = 0, real = 0, generated = 0, accuracy = 0, logpsReal = 0, logpsGenerated = 0;
        for (StepMetrics m : last) {
            loss += m.loss() * m.examples() / n;
            real += m.rewardsReal() * m.examples() / n;
            generated += m.rewardsGenerated() * m.examples() / n;
            accuracy += m.rewardsAccuracy() * m.examples() / n;
            logpsReal += m.logpsReal() * m.examples() / n;
            logpsGenerated += m.logpsGenerated() * m.examples() / n;
        }
        return new TrainingSummary(lastStep.step(), sequences, loss, real, generated, real - generated, accuracy, logpsReal,
                logpsGenerated);
    }
}
