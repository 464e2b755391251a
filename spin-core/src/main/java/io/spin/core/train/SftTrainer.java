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
        return train(policy, examples, AdamW.defaults(config.weightDecay()), listener);
    }

    public List<StepMetrics> train(Policy policy, List<TokenizedExample> examples, AdamW optimizer, TrainingListener listener) {
        return train(policy, examples, optimizer, listener, 0);
    }

    /** Trains from step {@code startStep}, with the weights and optimizer state saved after that step. */
    public List<StepMetrics> train(Policy policy, List<TokenizedExample> examples, AdamW optimizer, TrainingListener listener,
                                   int startStep) {
        int pad = policy.format().tokenizer().pad();
        return Optimization.run(policy, examples, config, optimizer, batch -> manager -> {
            SequenceBatch sequences = SequenceBatch.of(batch.stream().map(TokenizedExample::prompt).toList(),
                    batch.stream().map(TokenizedExample::response).toList(), pad);
            NDArray loss = loss(policy, manager, sequences);
            return new Optimization.StepLoss() {
                @Override
                public NDArray loss() {
                    return loss;
                }

                @Override
                public StepMetrics metrics(int step, int total, int epoch, double value, double lr, double norm) {
                    return StepMetrics.sft(step, total, epoch, batch.size(), value, lr, norm,
                            batch.stream().mapToLong(e -> e.prompt().length + e.response().length).sum());
                }
            };
        }, listener, startStep);
    }

    /** The step's loss: negative log-likelihood of the response tokens, per token of the batch. */
    static NDArray loss(Policy policy, NDManager manager, SequenceBatch sequences) {
        int tokens = 0;
        for (int n : sequences.responseTokens()) {
            tokens += n;
        }
        NDArray summed = LogProbs.sequenceLogProbs(policy, manager, sequences, true).sum().neg();
        return summed.div(Scalars.of(summed, (float) Math.max(1, tokens)));
    }
}
