package io.spin.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/**
 * Rotary position embedding in Hugging Face's rotate-half layout: a head's dimensions i and i + d/2 form a pair rotated
 * by position * theta^(-2i/d). The angles are computed in float32 the way transformers computes them, so positions far
 * into the context rotate by the same float angles as there.
 */
final class Rotary {
    private final int headSize;
    private final int positions;
    private final double theta;
    private NDArray cos;
    private NDArray sin;

    Rotary(int headSize, int positions, double theta) {
        this.headSize = headSize;
        this.positions = positions;
        this.theta = theta;
    }

    /**
     * cos and sin of each position's angles, (batch, 1, tokens, headSize), to broadcast over the heads. The tables are
     * made once, on {@code owner} (the manager of the model's parameters, so they go when the model goes).
     */
    NDList angles(NDArray positionIds, NDManager owner, DataType type) {
        if (cos == null) {
            tables(owner);
        }
        NDArray c = Embedding.embedding(positionIds, cos.toDevice(positionIds.getDevice(), false), SparseFormat.DENSE).singletonOrThrow();
        NDArray s = Embedding.embedding(positionIds, sin.toDevice(positionIds.getDevice(), false), SparseFormat.DENSE).singletonOrThrow();
        return new NDList(c.expandDims(1).toType(type, false), s.expandDims(1).toType(type, false));
    }

    /** x (batch, heads, tokens, headSize) rotated: x * cos + rotateHalf(x) * sin, rotateHalf(x) = (-x2, x1). */
    static NDArray apply(NDArray x, NDList angles) {
        NDList halves = x.split(2, 3);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), 3);
        return x.mul(angles.get(0)).add(rotated.mul(angles.get(1)));
    }

    private synchronized void tables(NDManager manager) {
        if (cos != null) {
            return;
        }
        int half = headSize / 2;
        float[] inverse = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / headSize;
            inverse[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
        }
        float[] c = new float[positions * headSize];
        float[] s = new float[positions * headSize];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * inverse[i];
                c[p * headSize + i] = c[p * headSize + half + i] = (float) Math.cos(angle);
                s[p * headSize + i] = s[p * headSize + half + i] = (float) Math.sin(angle);
            }
        }
        // made during some step: kept out of that step's NDScope
        cos = manager.create(c, new Shape(positions, headSize));
        sin = manager.create(s, new Shape(positions, headSize));
        NDScope.unregister(cos, sin);
    }
}
