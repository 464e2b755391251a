package io.spin.core.train;

import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.spin.core.model.Policy;
import io.spin.core.model.Scalars;

/** Supervised fine-tuning: next-token cross-entropy on response tokens only, averaged per token. */
public final class SftTrainer {
    private final TrainingConfig config;

    public SftTrainer(TrainingConfig config) {
        this.config = config;
    }

    public List<StepMetrics> train(Policy policy, List<TokenizedExample> examples, TrainingListener listener) {
        try (AdamW optimizer = AdamW.defaults(config.weightDecay())) {
            return train(policy, examples, optimizer, listener);
        }
    }

    public List<StepMetrics> train(Policy policy, List<TokenizedExample> examples, AdamW optimizer, TrainingListener listener) {
        return train(policy, examples, optimizer, listener, 0);
    }

    /** Trains from step {@code startStep}, with the weights and optimizer state saved after that step. */
    public List<StepMetrics> train(Policy policy, List<TokenizedExample> examples, AdamW optimizer, TrainingListener listener,
                                   int startStep) {
        int pad = policy.format().tokenizer().pad();
        return Optimization.run(policy, examples, config, optimizer, (manager, part, batch) -> {
            SequenceBatch sequences = SequenceBatch.of(part.stream().map(TokenizedExample::prompt).toList(),
                    part.stream().map(TokenizedExample::response).toList(), pad);
            NDArray loss = loss(policy, manager, sequences, batch.stream().mapToLong(e -> e.response().length).sum());
            return new Optimization.StepLoss() {
                @Override
                public NDArray loss() {
                    return loss;
                }

                @Override
                public StepMetrics metrics(int step, int total, int epoch, double value, double lr, double norm) {
                    return StepMetrics.sft(step, total, epoch, part.size(), value, lr, norm,
                            part.stream().mapToLong(e -> e.prompt().length + e.response().length).sum());
                }
            };
        }, listener, startStep);
    }

    /** The step's loss: negative log-likelihood of the response tokens, per token of the batch. */
    static NDArray loss(Policy policy, NDManager manager, SequenceBatch sequences) {
        long tokens = 0;
        for (int n : sequences.responseTokens()) {
            tokens += n;
        }
        return loss(policy, manager, sequences, tokens);
    }

    /** A pass's share: the NLL of its response tokens over the response tokens of its whole step. */
    static NDArray loss(Policy policy, NDManager manager, SequenceBatch sequences, long stepTokens) {
        NDArray summed = LogProbs.sequenceLogProbs(policy, manager, sequences, true).sum().neg();
        return summed.div(Scalars.of(summed, (float) Math.max(1, stepTokens)));
    }
}
