package io.spin.core.eval;

import java.util.ArrayList;
import java.util.List;

import io.spin.data.SpinPair;
import io.spin.core.generate.BatchSampling;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Policy;
import io.spin.core.train.LogProbs;
import io.spin.core.train.TokenizedExample;

/**
 * How close a model is to the human responses of an eval set: mean log-prob per token of the human responses, and
 * exact-match rate and mean edit similarity of greedy generations against them. Log-probs are computed
 * {@code passSize} sequences per forward pass, greedy responses {@code sampleBatch} prompts at a time: sampling keeps
 * no activations for a backward pass, so it can batch more prompts than a training pass holds, and on a small model
 * that is what its speed depends on (per-step costs shared by more prompts).
 */
public final class Evaluator {
    private final int passSize;
    private final BatchSampling sampling;
    private final int maxNewTokens;

    public Evaluator(int passSize, int sampleBatch, int maxNewTokens) {
        if (passSize < 1) {
            throw new IllegalArgumentException("sequences per pass must be at least 1, got " + passSize);
        }
        this.passSize = passSize;
        this.sampling = new BatchSampling(sampleBatch);
        this.maxNewTokens = maxNewTokens;
    }

    /** Forward passes and greedy sampling both {@code batchSize} at a time. */
    public Evaluator(int batchSize, int maxNewTokens) {
        this(batchSize, batchSize, maxNewTokens);
    }

    public record Result(double humanLogpPerToken, double exactMatchRate, double meanSimilarity, int prompts) {
    }

    /** {@code humanTexts.get(i)} is the human response of {@code examples.get(i)} as text. */
    public Result evaluate(Policy policy, List<TokenizedExample> examples, List<String> humanTexts) {
        return evaluate(policy, examples, humanTexts, humanLogProbs(policy, examples));
    }

    /**
     * The same, with {@code humanLogProbs[i]}, the log-prob of {@code examples.get(i)}'s response under the policy,
     * given by the caller: a caller that already scored the human responses (the trainer's eval pairs do) saves a pass.
     */
    public Result evaluate(Policy policy, List<TokenizedExample> examples, List<String> humanTexts, double[] humanLogProbs) {
        if (humanLogProbs.length != examples.size() || humanTexts.size() != examples.size()) {
            throw new IllegalArgumentException(examples.size() + " eval examples, but " + humanTexts.size() + " human texts and "
                    + humanLogProbs.length + " log-probs");
        }
        double logp = 0;
        long tokens = 0;
        for (int i = 0; i < examples.size(); i++) {
            logp += humanLogProbs[i];
            tokens += examples.get(i).response().length;
        }
        List<SampleRequest> requests = new ArrayList<>(examples.size());
        for (TokenizedExample e : examples) {
            requests.add(new SampleRequest(e.prompt(), SamplingSettings.greedy(maxNewTokens), 0));
        }
        List<Sample> generated = sampling.sampleAll(policy, requests);
        double exact = 0;
        double similarity = 0;
        for (int i = 0; i < examples.size(); i++) {
            SpinPair pair = SpinPair.of(humanTexts.get(i), generated.get(i).text());
            exact += pair.exactMatch() ? 1 : 0;
            similarity += pair.similarity();
        }
        int n = examples.size();
        return new Result(tokens == 0 ? 0 : logp / tokens, n == 0 ? 0 : exact / n, n == 0 ? 0 : similarity / n, n);
    }

    /** The log-prob of each example's response given its prompt, under the policy. */
    public double[] humanLogProbs(Policy policy, List<TokenizedExample> examples) {
        return LogProbs.of(policy, examples.stream().map(TokenizedExample::prompt).toList(),
                examples.stream().map(TokenizedExample::response).toList(), passSize);
    }
}
