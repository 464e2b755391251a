package io.spin.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.spin.core.model.Masks;
import io.spin.core.model.Policy;

/** Sequence log-probabilities: log pi(response | prompt), summed over response tokens only. */
public final class LogProbs {
    private LogProbs() {
    }

    /** Shape (batch): sum over response tokens of log p(token | prefix); prompt and padding contribute nothing. */
    public static NDArray sequenceLogProbs(Policy policy, NDManager manager, SequenceBatch batch, boolean training) {
        NDArray logits = policy.model().forward(policy.parameterStore(), batch.inputArray(manager), batch.positionArray(manager),
                Masks.causal(manager, batch.length()), null, training);
        NDArray tokenLogProbs = logits.logSoftmax(-1).gather(batch.targetArray(manager), 2).squeeze(2);
        return tokenLogProbs.mul(batch.maskArray(manager)).sum(new int[] {1});
    }
}
