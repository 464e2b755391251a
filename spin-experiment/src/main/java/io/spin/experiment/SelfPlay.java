package io.spin.experiment;

import java.util.ArrayList;
import java.util.List;

import io.spin.core.generate.BatchSampling;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Policy;
import io.spin.core.train.TokenizedExample;
import io.spin.core.train.TokenizedPair;
import io.spin.data.SampleSeeds;
import io.spin.data.SpinPair;

/**
 * SPIN's data step in one process, with the services' own parts: the orchestrator's seeds ({@link SampleSeeds}), the
 * generator's batched sampling ({@link BatchSampling}) and the pair builder's pairing rule ({@link SpinPair}); the
 * pairs are tokenized as the trainer tokenizes the pair builder's (the sample's own token ids).
 */
final class SelfPlay {
    private static final int GENERATION_BATCH = 32;

    private SelfPlay() {
    }

    record Generated(List<TokenizedPair> pairs, double exactMatchRate, double meanSimilarity) {
    }

    /** {@code humanTexts.get(i)} is the human response of {@code train.get(i)} as text. */
    static Generated pairs(Policy policy, List<TokenizedExample> train, List<String> humanTexts, ExperimentSettings s, int t) {
        SamplingSettings sampling = new SamplingSettings(s.temperature(), 1.0, 0, s.maxNewTokens());
        List<Integer> sources = new ArrayList<>();
        List<SampleRequest> requests = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            for (int k = 0; k < s.samplesPerPrompt(); k++) {
                sources.add(i);
                requests.add(new SampleRequest(train.get(i).prompt(), sampling, SampleSeeds.of(s.seed(), t, train.get(i).id(), k)));
            }
        }
        List<Sample> samples = new BatchSampling(GENERATION_BATCH).sampleAll(policy, requests);
        List<TokenizedPair> pairs = new ArrayList<>(samples.size());
        double exact = 0;
        double similarity = 0;
        for (int j = 0; j < samples.size(); j++) {
            TokenizedExample source = train.get(sources.get(j));
            SpinPair paired = SpinPair.of(humanTexts.get(sources.get(j)), samples.get(j).text());
            exact += paired.exactMatch() ? 1 : 0;
            similarity += paired.similarity();
            pairs.add(TokenizedPair.of(t + "/" + source.id() + "/" + j % s.samplesPerPrompt(), source, samples.get(j), policy.format(),
                    s.maxResponseTokens()));
        }
        int n = Math.max(1, pairs.size());
        return new Generated(pairs, exact / n, similarity / n);
    }
}
