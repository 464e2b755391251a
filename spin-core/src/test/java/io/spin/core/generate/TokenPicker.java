package io.spin.core.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks the next token from one row of logits: temperature, top-k, top-p, with a per-request random stream. */
final class TokenPicker {
    private TokenPicker() {
    }

    /** log softmax(logits)[token] at temperature 1. */
    static double logProb(float[] logits, int offset, int vocab, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return logits[offset + token] - max - Math.log(sum);
    }

    /** Plain softmax sampling: no ordering needed without top-k or top-p. */
    private static int sampleFull(float[] logits, int offset, int vocab, double temperature, SplittableRandom random) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double[] weights = new double[vocab];
        double total = 0;
        for (int i = 0; i < vocab; i++) {
            weights[i] = Math.exp((logits[offset + i] - max) / temperature);
            total += weights[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < vocab; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return vocab - 1;
    }

    static int pick(float[] logits, int offset, int vocab, SamplingSettings s, SplittableRandom random) {
        if (s.temperature() == 0) {
            int best = 0;
            for (int i = 1; i < vocab; i++) {
                if (logits[offset + i] > logits[offset + best]) {
                    best = i;
                }
            }
            return best;
        }
        if (s.topK() == 0 && s.topP() >= 1) {
            return sampleFull(logits, offset, vocab, s.temperature(), random);
        }
        // order tokens by logit, descending, without boxing: sortable float bits in the high word, index in the low
        long[] order = new long[vocab];
        for (int i = 0; i < vocab; i++) {
            int bits = Float.floatToIntBits(logits[offset + i]);
            bits ^= (bits >> 31) & 0x7fffffff;
            order[i] = ((long) bits << 32) | i;
        }
        Arrays.sort(order);
        int kept = s.topK() > 0 ? Math.min(s.topK(), vocab) : vocab;
        double top = logits[offset + (int) order[vocab - 1]];
        double[] weights = new double[kept];
        double total = 0;
        for (int r = 0; r < kept; r++) {
            weights[r] = Math.exp((logits[offset + (int) order[vocab - 1 - r]] - top) / s.temperature());
            total += weights[r];
        }
        if (s.topP() < 1) {
            double cumulative = 0;
            int nucleus = kept;
            for (int r = 0; r < kept; r++) {
                cumulative += weights[r] / total;
                if (cumulative >= s.topP()) {
                    nucleus = r + 1;
                    break;
                }
            }
            kept = nucleus;
            total = 0;
            for (int r = 0; r < kept; r++) {
                total += weights[r];
            }
        }
        double u = random.nextDouble() * total;
        for (int r = 0; r < kept; r++) {
            u -= weights[r];
            if (u < 0) {
                return (int) order[vocab - 1 - r];
            }
        }
        return (int) order[vocab - kept];
    }
}
