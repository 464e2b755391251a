package io.spin.experiment;

import java.util.ArrayList;
import java.util.List;

import io.spin.data.TextSimilarity;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Policy;
import io.spin.data.text.PromptFormat;
import io.spin.core.train.TokenizedExample;
import io.spin.core.train.TokenizedPair;

/** SPIN's data step, as generator and pair builder do it: pi_t answers every prompt; chosen = human, rejected = pi_t. */
final class SelfPlay {
    private static final int GENERATION_BATCH = 32;

    private SelfPlay() {
    }

    record Generated(List<TokenizedPair> pairs, double exactMatchRate, double meanSimilarity) {
    }

    /** {@code humanTexts.get(i)} is the human response of {@code train.get(i)} as text. */
    static Generated pairs(Policy policy, List<TokenizedExample> train, List<String> humanTexts, ExperimentSettings s, int t) {
        PromptFormat format = policy.format();
        SamplingSettings sampling = new SamplingSettings(s.temperature(), 1.0, 0, s.maxNewTokens());
        List<Integer> sources = new ArrayList<>();
        List<SampleRequest> requests = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            for (int k = 0; k < s.samplesPerPrompt(); k++) {
                sources.add(i);
                requests.add(new SampleRequest(train.get(i).prompt(), sampling, s.seed() * 1_000_003L + t * 100_003L + i * 101L + k));
            }
        }
        List<TokenizedPair> pairs = new ArrayList<>();
        double exact = 0;
        double similarity = 0;
        Sampler sampler = new Sampler(true);
        for (int start = 0; start < requests.size(); start += GENERATION_BATCH) {
            List<Sample> samples = sampler.sample(policy, requests.subList(start, Math.min(requests.size(), start + GENERATION_BATCH)));
            for (int j = 0; j < samples.size(); j++) {
                TokenizedExample source = train.get(sources.get(start + j));
                String human = humanTexts.get(sources.get(start + j));
                String generated = samples.get(j).text();
                exact += human.equals(generated) ? 1 : 0;
                similarity += TextSimilarity.normalisedEditSimilarity(human, generated);
                pairs.add(TokenizedPair.of(t + "/" + source.id() + "/" + (start + j), source, samples.get(j), format, s.maxResponseTokens()));
            }
        }
        int n = Math.max(1, pairs.size());
        return new Generated(pairs, exact / n, similarity / n);
    }
}
