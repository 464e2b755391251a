package io.spin.core.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The device picker against the host picker it replaced ({@link TokenPicker}, kept here as the reference): the same
 * uniform draw gives the same token for greedy, plain, top-k and top-p rows, and the same log-prob; ids beyond the
 * tokenizer are never picked.
 */
class DevicePickerTest {
    private static final List<SamplingSettings> SETTINGS = List.of(SamplingSettings.greedy(8), new SamplingSettings(1.0, 1.0, 0, 8),
            new SamplingSettings(0.7, 1.0, 20, 8), new SamplingSettings(1.3, 0.9, 0, 8), new SamplingSettings(1.0, 0.5, 5, 8),
            new SamplingSettings(0.5, 1.0, 0, 8));

    @Test
    void theSameDrawPicksWhatTheHostPickerPicks() {
        int batch = SETTINGS.size();
        int vocab = 300;
        int known = 290;
        Random random = new Random(1);
        int agreed = 0;
        int trials = 200;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < trials; trial++) {
                float[] logits = new float[batch * vocab];
                for (int i = 0; i < logits.length; i++) {
                    logits[i] = (float) (3 * random.nextGaussian());
                }
                double[] uniforms = new double[batch];
                for (int b = 0; b < batch; b++) {
                    uniforms[b] = SETTINGS.get(b).temperature() > 0 ? new SplittableRandom(trial * 31L + b).nextDouble() : 0;
                }
                double[] logProbs = new double[batch];
                int[] device = DevicePicker.pick(m.create(logits, new Shape(batch, vocab)), known, SETTINGS, uniforms, logProbs);
                for (int b = 0; b < batch; b++) {
                    int host = TokenPicker.pick(logits, b * vocab, known, SETTINGS.get(b), new SplittableRandom(trial * 31L + b));
                    assertTrue(device[b] < known, "an id beyond the tokenizer: " + device[b]);
                    agreed += host == device[b] ? 1 : 0;
                    assertEquals(TokenPicker.logProb(logits, b * vocab, vocab, device[b]), logProbs[b], 1e-4);
                }
            }
        }
        // float32 on the device against double on the host: a draw within rounding of a boundary may fall either side
        assertTrue(agreed >= 0.99 * trials * batch, agreed + " of " + trials * batch + " picks agree");
    }

    @Test
    void topKOfOneAndATinyTopPAreGreedy() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] logits = {0.1f, 2.0f, 1.9f, -1f, 0.5f, 3.0f, 2.9f, 0f};
            List<SamplingSettings> settings = List.of(new SamplingSettings(1.0, 1.0, 1, 4), new SamplingSettings(1.0, 0.01, 0, 4));
            int[] picked = DevicePicker.pick(m.create(logits, new Shape(2, 4)), 4, settings, new double[] {0.99, 0.99}, new double[2]);
            assertEquals(1, picked[0]);
            assertEquals(1, picked[1], "row 2's largest logit (3.0) is at index 1 of its row");
        }
    }
}
