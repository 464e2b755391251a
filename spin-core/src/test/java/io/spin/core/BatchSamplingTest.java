package io.spin.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.spin.core.generate.BatchSampling;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Policy;

class BatchSamplingTest {
    private static final SamplingSettings SETTINGS = new SamplingSettings(1.0, 1.0, 0, 12);

    private static List<SampleRequest> requests(Policy policy, int n) {
        List<SampleRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(new SampleRequest(policy.format().prompt("Define: word " + "x".repeat(i), 96).ids(), SETTINGS, 500L + i));
        }
        return requests;
    }

    @Test
    void batchesGiveTheSamplesOfOneCallInRequestOrder() {
        try (Policy policy = TestPolicies.tiny(5)) {
            List<SampleRequest> requests = requests(policy, 5);
            List<Sample> whole = new Sampler(true).sample(policy, requests);
            List<int[]> froms = new ArrayList<>();
            List<Sample> batched = new ArrayList<>();
            new BatchSampling(2).sample(policy, requests, new BatchSampling.Outcomes() {
                @Override
                public void sampled(int from, List<Sample> samples, long millis) {
                    froms.add(new int[] {from, samples.size()});
                    batched.addAll(samples);
                }

                @Override
                public void failed(int index, RuntimeException error) {
                    throw error;
                }
            });
            // 5 requests in batches of 2: [0,1] [2,3] [4]
            assertEquals(List.of("[0, 2]", "[2, 2]", "[4, 1]"), froms.stream().map(Arrays::toString).toList());
            for (int i = 0; i < whole.size(); i++) {
                assertArrayEquals(whole.get(i).tokenIds(), batched.get(i).tokenIds(), "request " + i);
            }
        }
    }

    @Test
    void aRequestThatCannotBeSampledFailsAloneAndTheRestOfItsBatchIsKept() {
        try (Policy policy = TestPolicies.tiny(5)) {
            List<SampleRequest> requests = new ArrayList<>(requests(policy, 4));
            // a prompt that fills the whole context leaves no room to generate: the sampler refuses it
            int[] tooLong = new int[policy.config().contextLength()];
            Arrays.fill(tooLong, 'a');
            requests.set(2, new SampleRequest(tooLong, SETTINGS, 1));
            List<Integer> sampled = new ArrayList<>();
            List<Integer> failed = new ArrayList<>();
            new BatchSampling(4).sample(policy, requests, new BatchSampling.Outcomes() {
                @Override
                public void sampled(int from, List<Sample> samples, long millis) {
                    for (int i = 0; i < samples.size(); i++) {
                        sampled.add(from + i);
                    }
                }

                @Override
                public void failed(int index, RuntimeException error) {
                    assertTrue(error.getMessage().contains("no room to generate"), error.getMessage());
                    failed.add(index);
                }
            });
            assertEquals(List.of(0, 1, 3), sampled);
            assertEquals(List.of(2), failed);
            assertThrows(IllegalArgumentException.class, () -> new BatchSampling(4).sampleAll(policy, requests));
            assertThrows(IllegalArgumentException.class, () -> new BatchSampling(0));
        }
    }
}
