package io.spin.core.generate;

import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Picks each row's next token where the logits are (on a GPU: on the GPU), the way {@link TokenPicker} does on the
 * host: greedy as the arg max, plain sampling by inverse CDF in vocabulary order, top-k and top-p over the logits sorted
 * on the device. Only a token id and its log-prob per row come back, never a row of (151,936) logits, and no host sort
 * of the vocabulary per step. Each sampled row draws one uniform number from its request's own stream, as the host
 * picker does, so a request samples the same tokens alone or in a batch.
 */
final class DevicePicker {
    private DevicePicker() {
    }

    /** Tokens picked; {@code logProbs[b]} receives log softmax(logits)[token] at temperature 1 over the whole vocabulary. */
    static int[] pick(NDArray logits, int known, List<SamplingSettings> settings, double[] uniforms, double[] logProbs) {
        NDManager m = logits.getManager();
        int batch = settings.size();
        int vocab = (int) logits.getShape().get(1);
        NDArray usable = known < vocab ? logits.get(new NDIndex(":, :{}", known)) : logits;
        long[] greedy = usable.argMax(1).toLongArray();
        long[] tokens = greedy.clone();
        boolean anySorted = false;
        boolean anyPlain = false;
        for (SamplingSettings s : settings) {
            anySorted |= s.temperature() > 0 && (s.topK() > 0 || s.topP() < 1);
            anyPlain |= s.temperature() > 0 && s.topK() == 0 && s.topP() >= 1;
        }
        if (anySorted || anyPlain) {
            float[] inverseTemperature = new float[batch];
            float[] u = new float[batch];
            long[] topK = new long[batch];
            float[] topP = new float[batch];
            for (int b = 0; b < batch; b++) {
                SamplingSettings s = settings.get(b);
                inverseTemperature[b] = s.temperature() > 0 ? (float) (1 / s.temperature()) : 1f;
                u[b] = (float) uniforms[b];
                topK[b] = s.topK() > 0 ? Math.min(s.topK(), known) : known;
                topP[b] = s.topP() < 1 ? (float) s.topP() : 2f;
            }
            NDArray z = usable.mul(m.create(inverseTemperature, new Shape(batch, 1)));
            NDArray threshold = m.create(u, new Shape(batch, 1));
            long[] plain = anyPlain ? inverseCdf(z.sub(z.max(new int[] {1}, true)).exp(), threshold) : null;
            long[] sorted = anySorted ? nucleus(m, z, threshold, topK, topP, known) : null;
            for (int b = 0; b < batch; b++) {
                SamplingSettings s = settings.get(b);
                if (s.temperature() > 0) {
                    tokens[b] = s.topK() == 0 && s.topP() >= 1 ? plain[b] : sorted[b];
                }
            }
        }
        NDArray chosen = m.create(tokens, new Shape(batch, 1));
        float[] lp = logits.logSoftmax(1).gather(chosen, 1).toFloatArray();
        int[] out = new int[batch];
        for (int b = 0; b < batch; b++) {
            out[b] = (int) tokens[b];
            logProbs[b] = lp[b];
        }
        return out;
    }

    /** The first index whose running sum of weights exceeds u x their total, per row: the host's loop, in one pass. */
    private static long[] inverseCdf(NDArray weights, NDArray u) {
        NDArray cumulative = weights.cumSum(1);
        NDArray total = cumulative.get(new NDIndex(":, -1:"));
        NDArray below = cumulative.lte(total.mul(u)).toType(DataType.INT64, false).sum(new int[] {1});
        long last = weights.getShape().get(1) - 1;
        long[] index = below.toLongArray();
        for (int i = 0; i < index.length; i++) {
            index[i] = Math.min(index[i], last);
        }
        return index;
    }

    /** Top-k, then top-p (the smallest prefix whose share reaches p), over the logits sorted in descending order. */
    private static long[] nucleus(NDManager m, NDArray z, NDArray u, long[] topK, float[] topP, int known) {
        int batch = topK.length;
        NDArray order = z.argSort(1, false);
        NDArray sorted = z.gather(order, 1);
        NDArray weights = sorted.sub(sorted.get(new NDIndex(":, 0:1"))).exp();
        NDArray ranks = m.arange(0, known, 1, DataType.INT64).reshape(1, known);
        weights = weights.mul(ranks.lt(m.create(topK, new Shape(batch, 1))).toType(DataType.FLOAT32, false));
        NDArray cumulative = weights.cumSum(1);
        NDArray before = cumulative.sub(weights).div(cumulative.get(new NDIndex(":, -1:")));
        weights = weights.mul(before.lt(m.create(topP, new Shape(batch, 1))).toType(DataType.FLOAT32, false));
        long[] rank = inverseCdf(weights, u);
        long[] kept = weights.gt(0f).toType(DataType.INT64, false).sum(new int[] {1}).toLongArray();
        for (int b = 0; b < batch; b++) {
            rank[b] = Math.min(rank[b], Math.max(0, kept[b] - 1));
        }
        return order.gather(m.create(rank, new Shape(batch, 1)), 1).toLongArray();
    }
}
