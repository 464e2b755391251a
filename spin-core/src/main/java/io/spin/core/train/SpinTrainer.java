package io.spin.core.train;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.spin.core.model.NoGrad;
import io.spin.core.model.Policy;
import io.spin.core.model.Scalars;

/**
 * SPIN (DPO-form) training: chosen = human response, rejected = the policy's own sample, reference = the starting
 * weights pi_t. The reference log-probs are computed ONCE before training ({@link #referenceLogProbs}) with the same
 * weights, so only one model is ever held in memory.
 */
public final class SpinTrainer {
    private final SpinConfig config;

    public SpinTrainer(SpinConfig config) {
        this.config = config;
    }

    /** Reference log-probs under the current weights: [i][0] of the chosen, [i][1] of the rejected response. */
    public static double[][] referenceLogProbs(Policy policy, List<TokenizedPair> pairs, int batchSize) {
        double[][] reference = new double[pairs.size()][2];
        for (int start = 0; start < pairs.size(); start += batchSize) {
            List<TokenizedPair> batch = pairs.subList(start, Math.min(pairs.size(), start + batchSize));
            try (NoGrad noGrad = NoGrad.enter(); NDManager manager = policy.manager().newSubManager(); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                float[] logps = pairLogProbs(policy, manager, batch, false).toFloatArray();
                for (int i = 0; i < batch.size(); i++) {
                    reference[start + i][0] = logps[i];
                    reference[start + i][1] = logps[batch.size() + i];
                }
            }
        }
        return reference;
    }

    /** Shape (2 * batch): the chosen responses' log-probs, then the rejected ones'. */
    static NDArray pairLogProbs(Policy policy, NDManager manager, List<TokenizedPair> batch, boolean training) {
        List<int[]> prompts = new ArrayList<>();
        List<int[]> responses = new ArrayList<>();
        for (TokenizedPair p : batch) {
            prompts.add(p.prompt());
            responses.add(p.chosen());
        }
        for (TokenizedPair p : batch) {
            prompts.add(p.prompt());
            responses.add(p.rejected());
        }
        SequenceBatch sequences = SequenceBatch.of(prompts, responses, policy.format().tokenizer().pad());
        return LogProbs.sequenceLogProbs(policy, manager, sequences, training);
    }

    public List<StepMetrics> train(Policy policy, List<TokenizedPair> pairs, double[][] reference, TrainingListener listener) {
        try (AdamW optimizer = AdamW.defaults(config.training().weightDecay())) {
            return train(policy, pairs, reference, optimizer, listener);
        }
    }

    /** Trains on the pairs; reference[i] belongs to pairs.get(i). */
    public List<StepMetrics> train(Policy policy, List<TokenizedPair> pairs, double[][] reference, AdamW optimizer,
                                   TrainingListener listener) {
        return train(policy, pairs, reference, optimizer, listener, 0);
    }

    /** Trains from step {@code startStep}, with the weights and optimizer state saved after that step. */
    public List<StepMetrics> train(Policy policy, List<TokenizedPair> pairs, double[][] reference, AdamW optimizer,
                                   TrainingListener listener, int startStep) {
        if (reference.length != pairs.size()) {
            throw new IllegalArgumentException(pairs.size() + " pairs but " + reference.length + " reference log-probs");
        }
        List<Indexed> indexed = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            indexed.add(new Indexed(pairs.get(i), reference[i][0], reference[i][1]));
        }
        return Optimization.run(policy, indexed, config.training(), optimizer,
                (manager, part, batch) -> lossFor(policy, manager, part, batch.size()), listener, startStep);
    }

    private record Indexed(TokenizedPair pair, double refReal, double refGenerated) {
    }

    /** The pass's share of its step's loss: the mean over the pass's pairs, weighted by its share of the step's pairs. */
    private Optimization.StepLoss lossFor(Policy policy, NDManager manager, List<Indexed> batch, int stepPairs) {
        int n = batch.size();
        double[] refReal = batch.stream().mapToDouble(Indexed::refReal).toArray();
        double[] refGenerated = batch.stream().mapToDouble(Indexed::refGenerated).toArray();
        NDArray logps = pairLogProbs(policy, manager, batch.stream().map(Indexed::pair).toList(), true);
        NDArray mean = SpinLoss.compute(manager, logps, refReal, refGenerated, config,
                batch.stream().mapToInt(i -> i.pair().chosen().length).toArray());
        NDArray loss = n == stepPairs ? mean : mean.mul(Scalars.of(mean, (float) n / stepPairs));
        return new Optimization.StepLoss() {
            @Override
            public NDArray loss() {
                return loss;
            }

            @Override
            public StepMetrics metrics(int step, int total, int epoch, double value, double lr, double norm) {
                float[] values = logps.toFloatArray();
                double real = 0, generated = 0, accuracy = 0, logpsReal = 0, logpsGenerated = 0;
                for (int i = 0; i < n; i++) {
                    double rr = config.beta() * (values[i] - refReal[i]);
                    double rg = config.beta() * (values[n + i] - refGenerated[i]);
                    real += rr / n;
                    generated += rg / n;
                    accuracy += (rr > rg ? 1.0 : 0.0) / n;
                    logpsReal += values[i] / (double) n;
                    logpsGenerated += values[n + i] / (double) n;
                }
                long tokens = batch.stream().mapToLong(i -> 2L * i.pair().prompt().length + i.pair().chosen().length
                        + i.pair().rejected().length).sum();
                return new StepMetrics(step, total, epoch, n, value, lr, norm, real, generated, accuracy, logpsReal, logpsGenerated, tokens);
            }
        };
    }

    /** The loss of one batch from the policy's log-probs and constant reference log-probs. */
    static final class SpinLoss {
        private SpinLoss() {
        }

        static NDArray compute(NDManager manager, NDArray logps, double[] refReal, double[] refGenerated, SpinConfig config,
                               int[] chosenTokens) {
            int n = refReal.length;
            NDList split = logps.split(2);
            NDArray piReal = split.get(0);
            NDArray piGenerated = split.get(1);
            float[] refDiff = new float[n];
            for (int i = 0; i < n; i++) {
                refDiff[i] = (float) (refReal[i] - refGenerated[i]);
            }
            NDArray logits = piReal.sub(piGenerated).sub(manager.create(refDiff));
            NDArray loss = Losses.spin(logits, config.beta(), config.loss()).mean();
            if (config.nllCoefficient() > 0) {
                float[] perToken = new float[n];
                for (int i = 0; i < n; i++) {
                    perToken[i] = 1f / Math.max(1, chosenTokens[i]);
                }
                NDArray nll = piReal.mul(manager.create(perToken)).neg().mean();
                loss = loss.add(nll.mul(Scalars.of(nll, (float) config.nllCoefficient())));
            }
            return loss;
        }
    }
}
