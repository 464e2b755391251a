package io.spin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDManager;
import io.spin.core.train.LearningRateSchedule;
import io.spin.core.train.LossType;
import io.spin.core.train.Losses;

class LossesTest {

    @Test
    void sigmoidLossByHand() {
        // logits = (-10 - -12) - (-30 - -29) = 2 - (-1) = 3; beta 0.1 -> z = 0.3; -log sigmoid(0.3) = log(1 + e^-0.3)
        double logits = (-10 - -12) - (-30 - -29);
        assertEquals(3.0, logits);
        assertEquals(Math.log(1 + Math.exp(-0.3)), Losses.spin(logits, 0.1, LossType.SIGMOID), 1e-12);
        assertEquals(0.554355244468527, Losses.spin(logits, 0.1, LossType.SIGMOID), 1e-12);
        // at logits 0 the loss is log 2, whatever beta
        assertEquals(Math.log(2), Losses.spin(0, 5.0, LossType.SIGMOID), 1e-12);
        // very negative margins do not overflow: -log sigmoid(-1000) = 1000
        assertEquals(1000.0, Losses.spin(-1000, 1.0, LossType.SIGMOID), 1e-9);
    }

    @Test
    void hingeLossByHand() {
        assertEquals(0.7, Losses.spin(3.0, 0.1, LossType.HINGE), 1e-12);
        assertEquals(0.0, Losses.spin(20.0, 0.1, LossType.HINGE), 1e-12);
        assertEquals(1.5, Losses.spin(-5.0, 0.1, LossType.HINGE), 1e-12);
    }

    @Test
    void ndArrayLossesMatchTheScalarOnes() {
        double[] logits = {-50, -3, -0.2, 0, 0.7, 4, 60};
        try (NDManager m = NDManager.newBaseManager()) {
            for (LossType type : LossType.values()) {
                float[] values = Losses.spin(m.create(toFloat(logits)), 0.5, type).toFloatArray();
                for (int i = 0; i < logits.length; i++) {
                    assertEquals(Losses.spin(logits[i], 0.5, type), values[i], 1e-5, type + " at " + logits[i]);
                }
            }
        }
    }

    @Test
    void warmupThenLinearDecayByHand() {
        LearningRateSchedule s = LearningRateSchedule.of(1e-3, 10, 0.2);
        assertEquals(2, s.warmupSteps());
        assertEquals(5e-4, s.at(0), 1e-15);
        assertEquals(1e-3, s.at(1), 1e-15);
        assertEquals(1e-3, s.at(2), 1e-15);
        assertEquals(1e-3 * 4 / 8, s.at(6), 1e-15);
        assertEquals(1e-3 / 8, s.at(9), 1e-15);
        assertEquals(1e-3, LearningRateSchedule.of(1e-3, 1, 0.0).at(0), 1e-15);
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
