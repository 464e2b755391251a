package io.spin.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.PromptFormat;

/**
 * Activation checkpointing per layer: the loss's backward stops at the layers' output (no layer weight has a gradient
 * yet, the final norm has its own), and the recomputing second phase gives every parameter, the embeddings included,
 * the gradient of an ordinary backward.
 */
class LayerCheckpointsTest {
    private static final PromptFormat FORMAT = new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, new ByteTokenizer());

    /** Every parameter's gradient after the backward of a fixed function of the logits, by parameter name. */
    private static Map<String, float[]> gradients(Policy policy, boolean checkpointed, Map<String, Float> beforeSecondPhase) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = policy.manager().newSubManager()) {
            long[] tokens = {256, 68, 101, 102, 105, 110, 101, 58, 32, 107, 256, 101, 116, 58, 32, 99, 97, 116, 0, 0};
            NDArray ids = m.create(tokens, new Shape(2, 10));
            NDArray positions = m.arange(0, 10).toType(DataType.INT64, false).reshape(1, 10).repeat(0, 2);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                 LayerCheckpoints checkpoints = checkpointed ? policy.model().checkpointLayers() : null) {
                NDArray logits = policy.model().forward(policy.parameterStore(), ids, positions, Masks.causal(m, 10), null, true);
                // a loss that weighs every position and logit differently, so any misplaced gradient shows
                NDArray weights = m.arange(0f, (float) logits.size()).reshape(logits.getShape()).mul(1e-4f).sin();
                collector.backward(logits.logSoftmax(-1).mul(weights).sum());
                if (checkpoints != null) {
                    for (Pair<String, Parameter> p : policy.model().getParameters()) {
                        beforeSecondPhase.put(p.getKey(), p.getValue().getArray().getGradient().abs().sum().getFloat());
                    }
                    checkpoints.backward(collector);
                }
            }
            for (Pair<String, Parameter> p : policy.model().getParameters()) {
                NDArray gradient = p.getValue().getArray().getGradient();
                out.put(p.getKey(), gradient.toFloatArray());
                gradient.subi(gradient); // zero for the next run
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "llama-tiny"})
    void theCheckpointedBackwardGivesEveryParameterTheOrdinaryGradient(String preset) {
        try (Policy policy = Policy.create(ModelConfig.preset(preset), FORMAT, 3, DataType.FLOAT32)) {
            Map<String, Float> untouched = new LinkedHashMap<>();
            Map<String, float[]> plain = gradients(policy, false, untouched);
            Map<String, float[]> checkpointed = gradients(policy, true, untouched);
            for (Map.Entry<String, Float> e : untouched.entrySet()) {
                boolean layer = e.getKey().matches("\\d*layer\\d+_.*");
                boolean embedding = e.getKey().toLowerCase().contains("embedding");
                if (layer || embedding && !e.getKey().contains("outputLayer")) {
                    // the embeddings' gradient reaches them through the layers only, except a tied output layer's use
                    if (layer || !policy.config().tiedEmbeddings()) {
                        assertEquals(0f, e.getValue(), e.getKey() + " has a gradient before the layers were recomputed");
                    }
                } else {
                    assertTrue(e.getValue() > 0, e.getKey() + " (after the layers) has its gradient from the loss's backward");
                }
            }
            assertEquals(plain.keySet(), checkpointed.keySet());
            for (String name : plain.keySet()) {
                float[] a = plain.get(name);
                float[] b = checkpointed.get(name);
                double worst = 0;
                double scale = 0;
                for (int i = 0; i < a.length; i++) {
                    worst = Math.max(worst, Math.abs(a[i] - b[i]));
                    scale = Math.max(scale, Math.abs(a[i]));
                }
                assertTrue(scale > 0, name + " has a gradient");
                assertTrue(worst <= 1e-5 * Math.max(1, scale), name + ": checkpointed gradient differs by " + worst + " (largest " + scale + ")");
            }
        }
    }
}
