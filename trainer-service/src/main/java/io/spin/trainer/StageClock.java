package io.spin.trainer;

import io.spin.contract.StageTimings;

/** Adds up the wall time of a job's stages (load, reference, train, eval, upload) for the report. */
final class StageClock {
    private long last = System.nanoTime();
    private final double[] seconds = new double[5];

    enum Stage { LOAD, REFERENCE, TRAIN, EVAL, UPLOAD }

    /** Charges the time since the previous call to {@code stage}. */
    void charge(Stage stage) {
        long now = System.nanoTime();
        seconds[stage.ordinal()] += (now - last) / 1e9;
        last = now;
    }

    StageTimings timings() {
        return StageTimings.newBuilder().setLoadSeconds(seconds[0]).setReferenceSeconds(seconds[1]).setTrainSeconds(seconds[2])
                .setEvalSeconds(seconds[3]).setUploadSeconds(seconds[4]).build();
    }
}
