package io.spin.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.spin.core.lora.Lora;
import io.spin.core.model.Masks;
import io.spin.core.model.Policy;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.PromptFormat;

/** Small models for tests, and what tests read from them. */
public final class TestPolicies {
    private TestPolicies() {
    }

    public static Policy tiny(long seed) {
        return Policy.create(ModelConfig.preset("tiny"), PromptFormat.DEFAULT_TEMPLATE, seed);
    }

    /** The logits of one causal forward pass over {@code ids}. */
    public static float[] logits(Policy policy, int[] ids) {
        try (NDManager m = policy.manager().newSubManager()) {
            long[] tokens = java.util.Arrays.stream(ids).asLongStream().toArray();
            long[] positions = new long[ids.length];
            java.util.Arrays.setAll(positions, i -> i);
            return policy.model().forward(policy.parameterStore(), m.create(tokens, new Shape(1, ids.length)),
                    m.create(positions, new Shape(1, ids.length)), Masks.causal(m, ids.length), null, false).toFloatArray();
        }
    }

    /** B set to small random values, as after training, so the adapters change the model. */
    public static void randomiseB(Lora lora, long seed) {
        java.util.Random random = new java.util.Random(seed);
        for (Pair<String, Parameter> p : lora.parameters()) {
            if (p.getKey().endsWith("lora_B.weight")) {
                NDArray b = p.getValue().getArray();
                float[] v = new float[(int) b.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = 0.05f * (float) random.nextGaussian();
                }
                b.set(v);
            }
        }
    }
}
