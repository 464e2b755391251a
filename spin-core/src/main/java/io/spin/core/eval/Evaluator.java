package io.spin.core.eval;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.spin.data.SpinPair;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.NoGrad;
import io.spin.core.model.Policy;
import io.spin.core.train.LogProbs;
import io.spin.core.train.SequenceBatch;
import io.spin.core.train.TokenizedExample;

/**
 * How close a model is to the human responses of an eval set: mean log-prob per token of the human responses, and
 * exact-match rate and mean edit similarity of greedy generations against them.
 */
public final class Evaluator {
    private final int batchSize;
    private final int maxNewTokens;

    public Evaluator(int batchSize, int maxNewTokens) {
        this.batchSize = batchSize;
        this.maxNewTokens = maxNewTokens;
    }

    public record Result(double humanLogpPerToken, double exactMatchRate, double meanSimilarity, int prompts) {
    }

    /** {@code humanTexts.get(i)} is the human response of {@code examples.get(i)} as text. */
    public Result evaluate(Policy policy, List<TokenizedExample> examples, List<String> humanTexts) {
        double logp = 0;
        long tokens = 0;
        double exact = 0;
        double similarity = 0;
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<TokenizedExample> batch = examples.subList(start, Math.min(examples.size(), start + batchSize));
            SequenceBatch sequences = SequenceBatch.of(batch.stream().map(TokenizedExample::prompt).toList(),
                    batch.stream().map(TokenizedExample::response).toList(), policy.format().tokenizer().pad());
            try (NoGrad noGrad = NoGrad.enter(); NDManager manager = policy.manager().newSubManager(); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                for (float v : LogProbs.sequenceLogProbs(policy, manager, sequences, false).toFloatArray()) {
                    logp += v;
                }
            }
            for (int n : sequences.responseTokens()) {
                tokens += n;
            }
            List<SampleRequest> requests = new ArrayList<>();
            for (TokenizedExample e : batch) {
                requests.add(new SampleRequest(e.prompt(), SamplingSettings.greedy(maxNewTokens), 0));
            }
            List<Sample> generated = new Sampler(true).sample(policy, requests);
            for (int i = 0; i < batch.size(); i++) {
                SpinPair pair = SpinPair.of(humanTexts.get(start + i), generated.get(i).text());
                exact += pair.exactMatch() ? 1 : 0;
                similarity += pair.similarity();
            }
        }
        int n = examples.size();
        return new Result(tokens == 0 ? 0 : logp / tokens, n == 0 ? 0 : exact / n, n == 0 ? 0 : similarity / n, n);
    }
}
