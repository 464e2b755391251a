package io.spin.data;

import java.util.SplittableRandom;

/**
 * The seed of one self-play sample: a pure function of the run's seed, the iteration, the prompt's id and the sample's
 * index. The orchestrator writes it into every generation request and the experiment samples with it, so both draw the
 * same responses, and a request written twice (a crash part way) is sampled the same way twice.
 */
public final class SampleSeeds {
    private SampleSeeds() {
    }

    public static long of(long runSeed, int iteration, String promptId, int sample) {
        long mixed = runSeed;
        mixed = mixed * 6364136223846793005L + iteration;
        mixed = mixed * 6364136223846793005L + promptId.hashCode();
        mixed = mixed * 6364136223846793005L + sample;
        return new SplittableRandom(mixed).nextLong();
    }
}
