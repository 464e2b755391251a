package io.spin.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import ai.djl.engine.Engine;
import ai.djl.training.GradientCollector;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

class AdamWTest {

    @Test
    void theFusedKernelMatchesTheExplicitFormulaAndAHandComputedFirstStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] start = {0.5f, -1.0f, 2.0f, 0.0f};
            float[][] gradients = {{0.1f, -0.2f, 0.3f, 0.0f}, {-0.05f, 0.4f, 0.1f, 1.0f}, {0.2f, 0.2f, -0.6f, -0.3f}};
            float[] explicit = run(m, start, gradients, false);
            float[] fused = run(m, start, gradients, true);
            for (int i = 0; i < start.length; i++) {
                assertEquals(explicit[i], fused[i], 1e-6, "parameter " + i);
            }
            // first step by hand: m_hat = g, v_hat = g^2, so w -= lr * (sign(g) + wd * w) (for g != 0)
            float[] one = run(m, start, new float[][] {gradients[0]}, true);
            assertEquals(0.5 - 0.01 * (1 + 0.1 * 0.5), one[0], 1e-6);
            assertEquals(-1.0 - 0.01 * (-1 + 0.1 * -1.0), one[1], 1e-6);
            assertEquals(0.0, one[3], 1e-9, "zero gradient and zero weight: no move");
        }
    }

    private static float[] run(NDManager m, float[] start, float[][] gradients, boolean fused) {
        Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).optShape(new Shape(start.length))
                .optInitializer(new ConstantInitializer(0)).build();
        p.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
        p.getArray().set(start);
        PairList<String, Parameter> params = new PairList<>();
        params.add("w", p);
        AdamW adam = new AdamW(0.9, 0.999, 1e-8, 0.1, fused);
        for (float[] g : gradients) {
            // d/dw sum(w * g) = g: a real backward pass fills the gradient the optimizer reads
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(p.getArray().mul(m.create(g)).sum());
            }
            assertEquals(g[1], p.getArray().getGradient().toFloatArray()[1], 1e-9);
            adam.step(params, 0.01, m);
            if (!adam.zeroesGradients()) {
                Gradients.zero(params);
            }
        }
        return p.getArray().toFloatArray();
    }
}
