package io.spin.core.train;

import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.spin.core.model.DecoderModel;
import io.spin.core.model.Masks;
import io.spin.core.model.NoGrad;
import io.spin.core.model.Policy;

/**
 * Sequence log-probabilities: log pi(response | prompt), summed over response tokens only. Only the positions whose
 * next token is a response token go through the output layer and the log-softmax: with a large vocabulary those two
 * are the largest activations of a step, and prompt and padding positions would be computed only to be masked away.
 */
public final class LogProbs {
    private LogProbs() {
    }

    /** Each response's log-prob given its prompt under the current weights, without gradients, {@code passSize} per pass. */
    public static double[] of(Policy policy, List<int[]> prompts, List<int[]> responses, int passSize) {
        double[] logps = new double[prompts.size()];
        for (int start = 0; start < prompts.size(); start += passSize) {
            int end = Math.min(prompts.size(), start + passSize);
            SequenceBatch batch = SequenceBatch.of(prompts.subList(start, end), responses.subList(start, end), policy.format().tokenizer().pad());
            try (NoGrad noGrad = NoGrad.enter(); NDManager manager = policy.manager().newSubManager(); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                float[] values = sequenceLogProbs(policy, manager, batch, false).toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    logps[start + i] = values[i];
                }
            }
        }
        return logps;
    }

    /** Shape (batch): sum over response tokens of log p(token | prefix); prompt and padding contribute nothing. */
    public static NDArray sequenceLogProbs(Policy policy, NDManager manager, SequenceBatch batch, boolean training) {
        DecoderModel model = policy.model();
        NDArray hidden = model.hidden(policy.parameterStore(), batch.inputArray(manager), batch.positionArray(manager),
                Masks.causal(manager, batch.length()), null, training);
        SequenceBatch.Scored scored = batch.scored();
        if (scored.rows().length == 0) {
            return hidden.sum(new int[] {1, 2}).mul(0f); // no response tokens at all: 0, still attached to the graph
        }
        long width = hidden.getShape().get(2);
        NDArray selected = hidden.reshape(batch.batch() * (long) batch.length(), width).get(manager.create(scored.rows()));
        NDArray logits = model.project(policy.parameterStore(), selected, training); // (scored tokens, vocab)
        NDArray tokenLogProbs = logits.logSoftmax(-1).gather(manager.create(scored.targets(), new Shape(scored.rows().length, 1)), 1);
        // (batch, scored) 0/1 matrix times (scored, 1): each sequence's sum of its own tokens' log-probs
        return manager.create(scored.owners(), new Shape(batch.batch(), scored.rows().length)).matMul(tokenLogProbs).squeeze(1);
    }
}
