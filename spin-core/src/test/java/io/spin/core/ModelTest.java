package io.spin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.spin.core.model.Masks;
import io.spin.data.model.ModelConfig;
import io.spin.core.model.Policy;
import io.spin.core.train.LogProbs;
import io.spin.core.train.SequenceBatch;

class ModelTest {

    @Test
    void presetsHaveTheAdvertisedSizeAndTheFormulaMatchesDjl() {
        try (Policy tiny = TestPolicies.tiny(1)) {
            long counted = 0;
            for (Pair<String, Parameter> p : tiny.model().getParameters()) {
                counted += p.getValue().getArray().size();
            }
            assertEquals(ModelConfig.preset("tiny").parameterCount(), counted);
            assertTrue(counted < 1_000_000, "tiny is well under 1M parameters: " + counted);
        }
        long small = ModelConfig.preset("small").parameterCount();
        assertTrue(small > 2_000_000 && small < 10_000_000, "small is a few million: " + small);
    }

    @Test
    void sequenceLogProbSumsResponseTokensOnlyAsComputedByHand() {
        try (Policy policy = TestPolicies.tiny(3); NDManager m = policy.manager().newSubManager()) {
            int[] prompt = {256, 65, 66, 67};
            int[] response = {68, 69, 257};
            SequenceBatch batch = SequenceBatch.of(List.of(prompt), List.of(response), 258);
            double viaLibrary = LogProbs.sequenceLogProbs(policy, m, batch, false).getFloat(0);

            // by hand: logits of the full sequence, log-softmax at the positions that predict response tokens
            int[] all = {256, 65, 66, 67, 68, 69, 257};
            long[] ids = new long[all.length - 1];
            long[] pos = new long[all.length - 1];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = all[i];
                pos[i] = i;
            }
            NDArray logits = policy.model().forward(policy.parameterStore(), m.create(ids, new Shape(1, ids.length)),
                    m.create(pos, new Shape(1, ids.length)), Masks.causal(m, ids.length), null, false);
            float[] flat = logits.toFloatArray();
            int vocab = 259;
            double expected = 0;
            for (int i = prompt.length - 1; i < ids.length; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, flat[i * vocab + v]);
                }
                double sum = 0;
                for (int v = 0; v < vocab; v++) {
                    sum += Math.exp(flat[i * vocab + v] - max);
                }
                expected += flat[i * vocab + all[i + 1]] - max - Math.log(sum);
            }
            assertEquals(expected, viaLibrary, 1e-4);
            assertEquals(3, batch.responseTokens()[0]);
        }
    }

    @Test
    void paddingAndBatchCompanionsDoNotChangeASequencesLogProb() {
        try (Policy policy = TestPolicies.tiny(4); NDManager m = policy.manager().newSubManager()) {
            int[] shortPrompt = {256, 10, 11};
            int[] shortResponse = {12, 257};
            int[] longPrompt = {256, 20, 21, 22, 23, 24, 25, 26};
            int[] longResponse = {27, 28, 29, 30, 31, 257};
            double alone = LogProbs.sequenceLogProbs(policy, m, SequenceBatch.of(List.of(shortPrompt), List.of(shortResponse), 258), false).getFloat(0);
            float[] batched = LogProbs.sequenceLogProbs(policy, m, SequenceBatch.of(List.of(longPrompt, shortPrompt),
                    List.of(longResponse, shortResponse), 258), false).toFloatArray();
            assertEquals(alone, batched[1], 1e-4, "padding must be masked");
            // changing a PROMPT token changes the conditional log-prob, changing padding cannot: sanity that the test bites
            double other = LogProbs.sequenceLogProbs(policy, m, SequenceBatch.of(List.of(new int[] {256, 10, 99}),
                    List.of(shortResponse), 258), false).getFloat(0);
            assertTrue(Math.abs(other - alone) > 1e-4);
        }
    }
}
