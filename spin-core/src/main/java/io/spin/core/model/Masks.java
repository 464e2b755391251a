package io.spin.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Additive attention biases: 0 where a query may look at a key, {@link DecoderModel.MASKED} where it may not. */
public final class Masks {
    private Masks() {
    }

    /** Causal mask for a full sequence of n tokens, shape (1, 1, n, n). */
    public static NDArray causal(NDManager manager, int n) {
        float[] bias = new float[n * n];
        for (int q = 0; q < n; q++) {
            for (int k = q + 1; k < n; k++) {
                bias[q * n + k] = DecoderModel.MASKED;
            }
        }
        return manager.create(bias, new Shape(1, 1, n, n));
    }

    /** Row b's first {@code padding[b]} keys masked, shape (batch, 1, 1, keys): the whole bias of a one-token step. */
    public static NDArray paddingKeys(NDManager manager, int[] padding, int keys) {
        float[] bias = new float[padding.length * keys];
        for (int b = 0; b < padding.length; b++) {
            java.util.Arrays.fill(bias, b * keys, b * keys + padding[b], DecoderModel.MASKED);
        }
        return manager.create(bias, new Shape(padding.length, 1, 1, keys));
    }

    /**
     * Causal mask plus left padding, shape (batch, 1, queries, keys): queries sit at absolute positions
     * keys-queries .. keys-1, and row b's first {@code padding[b]} keys are padding.
     */
    public static NDArray causalWithPadding(NDManager manager, int[] padding, int queries, int keys) {
        int batch = padding.length;
        float[] bias = new float[batch * queries * keys];
        int offset = keys - queries;
        for (int b = 0; b < batch; b++) {
            for (int q = 0; q < queries; q++) {
                int base = (b * queries + q) * keys;
                for (int k = 0; k < keys; k++) {
                    if (k > offset + q || k < padding[b]) {
                        bias[base + k] = DecoderModel.MASKED;
                    }
                }
            }
        }
        return manager.create(bias, new Shape(batch, 1, queries, keys));
    }
}
