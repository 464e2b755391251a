package io.spin.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDManager;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Policy;
import io.spin.core.train.LogProbs;
import io.spin.core.train.SequenceBatch;

class SamplerTest {
    private static final String[] PROMPTS = {"Define: lighthouse", "Define: a", "Define: the smallest unit of a chemical element", "x"};

    private static List<SampleRequest> requests(Policy policy, SamplingSettings settings) {
        List<SampleRequest> requests = new ArrayList<>();
        for (int i = 0; i < PROMPTS.length; i++) {
            requests.add(new SampleRequest(policy.format().prompt(PROMPTS[i], 96).ids(), settings, 1000L + i));
        }
        return requests;
    }

    @Test
    void kvCacheGivesExactlyTheTokensOfTheNoCacheLoop() {
        try (Policy policy = TestPolicies.tiny(11)) {
            for (SamplingSettings settings : List.of(new SamplingSettings(1.0, 1.0, 0, 40), new SamplingSettings(0.8, 0.9, 20, 40),
                    SamplingSettings.greedy(40))) {
                List<Sample> cached = new Sampler(true).sample(policy, requests(policy, settings));
                List<Sample> uncached = new Sampler(false).sample(policy, requests(policy, settings));
                for (int i = 0; i < cached.size(); i++) {
                    assertArrayEquals(uncached.get(i).tokenIds(), cached.get(i).tokenIds(), "request " + i + " " + settings);
                    assertEquals(uncached.get(i).logProb(), cached.get(i).logProb(), 1e-3);
                }
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameSampleAloneOrInABatch() {
        try (Policy policy = TestPolicies.tiny(12)) {
            SamplingSettings settings = new SamplingSettings(1.0, 1.0, 0, 30);
            List<SampleRequest> all = requests(policy, settings);
            List<Sample> batched = new Sampler(true).sample(policy, all);
            Sample alone = new Sampler(true).sample(policy, List.of(all.get(1))).get(0);
            assertArrayEquals(alone.tokenIds(), batched.get(1).tokenIds());
            Sample otherSeed = new Sampler(true).sample(policy, List.of(new SampleRequest(all.get(1).promptIds(), settings, 7))).get(0);
            assertFalse(java.util.Arrays.equals(alone.tokenIds(), otherSeed.tokenIds()), "a different seed samples differently");
        }
    }

    @Test
    void samplingAndTrainingSeeTheSameTokensAndAgreeOnTheLogProb() {
        try (Policy policy = TestPolicies.tiny(13); NDManager m = policy.manager().newSubManager()) {
            List<SampleRequest> requests = requests(policy, new SamplingSettings(1.0, 1.0, 0, 25));
            List<Sample> samples = new Sampler(true).sample(policy, requests);
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                // the training path formats the prompt with the same PromptFormat call the generator used
                int[] trainingPrompt = policy.format().prompt(PROMPTS[i], 96).ids();
                assertArrayEquals(requests.get(i).promptIds(), trainingPrompt);
                int[] response = s.finishedByEos() ? append(s.tokenIds(), policy.format().tokenizer().eos()) : s.tokenIds();
                SequenceBatch batch = SequenceBatch.of(List.of(trainingPrompt), List.of(response), policy.format().tokenizer().pad());
                for (int t = 0; t < trainingPrompt.length - 1; t++) {
                    assertEquals(trainingPrompt[t + 1], batch.inputs()[t + 1]);
                }
                double trainingLogProb = LogProbs.sequenceLogProbs(policy, m, batch, false).getFloat(0);
                assertEquals(s.logProb(), trainingLogProb, 1e-3, "sample " + i + " log-prob under pi_t");
            }
        }
    }

    @Test
    void lengthLimitAndFinishReason() {
        try (Policy policy = TestPolicies.tiny(14)) {
            List<Sample> samples = new Sampler(true).sample(policy, requests(policy, new SamplingSettings(1.0, 1.0, 0, 5)));
            for (Sample s : samples) {
                assertTrue(s.tokenCount() <= 5);
                if (!s.finishedByEos()) {
                    assertEquals(5, s.tokenIds().length);
                }
                assertTrue(s.logProb() < 0);
            }
            Sample greedy1 = new Sampler(true).sample(policy, requests(policy, SamplingSettings.greedy(20))).get(0);
            Sample greedy2 = new Sampler(false).sample(policy, requests(policy, SamplingSettings.greedy(20))).get(0);
            assertEquals(greedy1.text(), greedy2.text());
            assertNotEquals(0, greedy1.tokenCount());
        }
    }

    private static int[] append(int[] a, int x) {
        int[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = x;
        return r;
    }
}
