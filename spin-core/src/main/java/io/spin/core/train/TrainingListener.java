package io.spin.core.train;

/** Called after every optimizer step. */
@FunctionalInterface
public interface TrainingListener {
    TrainingListener NONE = m -> { };

    void onStep(StepMetrics metrics);
}
