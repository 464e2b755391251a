package io.spin.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for the tokens seen so far, shaped (batch, heads, tokens, headSize). Sampling feeds
 * only the new token per step instead of the whole prefix. With a capacity (the sampler knows prompt + new tokens) the
 * arrays are allocated once and each step writes its keys and values in place; without one, each step concatenates
 * (a copy of the whole cache per step and layer).
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;
    private final long[] lengths;
    private final long capacity;

    public KvCache(int layers) {
        this(layers, 0);
    }

    /** @param capacity most tokens the cache will hold; 0 = unknown (grow by concatenation) */
    public KvCache(int layers, long capacity) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
        lengths = new long[layers];
        this.capacity = capacity;
    }

    /** Tokens cached so far. */
    public long length() {
        return lengths[0];
    }

    NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
        long n = newKeys.getShape().get(2);
        long at = lengths[layer];
        if (capacity == 0) {
            return grow(layer, newKeys, newValues, at + n);
        }
        if (at + n > capacity) {
            throw new IllegalStateException("KV cache of " + capacity + " tokens cannot take " + n + " more after " + at);
        }
        if (keys[layer] == null) {
            Shape s = newKeys.getShape();
            Shape full = new Shape(s.get(0), s.get(1), capacity, s.get(3));
            keys[layer] = newKeys.getManager().zeros(full, newKeys.getDataType());
            values[layer] = newValues.getManager().zeros(full, newValues.getDataType());
            NDScope.unregister(keys[layer], values[layer]); // the cache outlives the NDScope of one step
        }
        NDIndex written = new NDIndex(":, :, {}:{}", at, at + n);
        keys[layer].set(written, newKeys);
        values[layer].set(written, newValues);
        lengths[layer] = at + n;
        NDIndex filled = new NDIndex(":, :, :{}", at + n);
        return new NDArray[] {keys[layer].get(filled), values[layer].get(filled)};
    }

    private NDArray[] grow(int layer, NDArray newKeys, NDArray newValues, long length) {
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
        lengths[layer] = length;
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
            lengths[i] = 0;
        }
    }
}
