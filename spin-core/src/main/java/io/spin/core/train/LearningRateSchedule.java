package io.spin.core.train;

/**
 * Linear warm-up to the peak, then linear decay to zero at the last step (the schedule of the SPIN paper's runs).
 * Step t is 0-based: warm-up uses (t+1)/warmup so the first step already learns.
 */
public record LearningRateSchedule(double peak, int totalSteps, int warmupSteps) {

    public static LearningRateSchedule of(double peak, int totalSteps, double warmupRatio) {
        return new LearningRateSchedule(peak, totalSteps, (int) Math.ceil(totalSteps * warmupRatio));
    }

    public double at(int step) {
        if (warmupSteps > 0 && step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        int decaySteps = totalSteps - warmupSteps;
        if (decaySteps <= 0) {
            return peak;
        }
        return peak * Math.max(0.0, (double) (totalSteps - step) / decaySteps);
    }
}
