package io.spin.core.generate;

import java.util.ArrayList;
import java.util.List;

import io.spin.core.model.Policy;

/**
 * Samples many requests in batches of a fixed size, with the KV cache: the one way the generator, the trainer's eval
 * and the experiment draw self-play responses. When a batch cannot be sampled, its requests are sampled one by one,
 * so only the requests that fail alone are reported as failed and the rest are kept.
 */
public final class BatchSampling {
    private final int batchSize;

    public BatchSampling(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /** Where the outcome of each request goes, in request order. */
    public interface Outcomes {
        /** {@code samples.get(i)} answers request {@code from + i}; {@code millis} is the batch's sampling time. */
        void sampled(int from, List<Sample> samples, long millis);

        /** Request {@code index} could not be sampled, even alone. */
        void failed(int index, RuntimeException error);
    }

    public void sample(Policy policy, List<SampleRequest> requests, Outcomes outcomes) {
        for (int from = 0; from < requests.size(); from += batchSize) {
            sample(policy, requests, from, Math.min(requests.size(), from + batchSize), outcomes);
        }
    }

    /** Every request's sample, in order; the first request that cannot be sampled alone fails the call. */
    public List<Sample> sampleAll(Policy policy, List<SampleRequest> requests) {
        List<Sample> all = new ArrayList<>(requests.size());
        sample(policy, requests, new Outcomes() {
            @Override
            public void sampled(int from, List<Sample> samples, long millis) {
                all.addAll(samples);
            }

            @Override
            public void failed(int index, RuntimeException error) {
                throw error;
            }
        });
        return all;
    }

    private static void sample(Policy policy, List<SampleRequest> requests, int from, int to, Outcomes outcomes) {
        long start = System.nanoTime();
        List<Sample> samples;
        try {
            samples = new Sampler(true).sample(policy, requests.subList(from, to));
        } catch (RuntimeException e) {
            if (to - from == 1) {
                outcomes.failed(from, e);
            } else {
                for (int i = from; i < to; i++) {
                    sample(policy, requests, i, i + 1, outcomes);
                }
            }
            return;
        }
        outcomes.sampled(from, samples, (System.nanoTime() - start) / 1_000_000);
    }
}
