package io.spin.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values of every layer for the tokens seen so far, shaped (batch, heads, tokens, headSize).
 * Sampling feeds only the new token per step instead of the whole prefix.
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;

    public KvCache(int layers) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
    }

    /** Tokens cached so far. */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
        NDArray k = keys[layer] == null ? newKeys : keys[layer].concat(newKeys, 2);
        NDArray v = values[layer] == null ? newValues : values[layer].concat(newValues, 2);
        // the cache outlives the NDScope of one step; the previous step's arrays are no longer needed
        NDScope.unregister(k, v);
        if (keys[layer] != null && keys[layer] != k) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = k;
        values[layer] = v;
        return new NDArray[] {k, v};
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
                keys[i] = null;
                values[i] = null;
            }
        }
    }
}
