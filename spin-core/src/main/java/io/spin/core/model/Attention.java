package io.spin.core.model;

import ai.djl.ndarray.NDArray;

/** Scaled dot-product attention, the block both families share. */
final class Attention {
    private Attention() {
    }

    /**
     * softmax(q k^T / sqrt(headSize) + bias) v for q, k, v of (batch, heads, tokens or keys, headSize); returns the heads
     * side by side, (batch, tokens, heads x headSize). The bias (masks) is cast to q's precision.
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray bias) {
        long batch = q.getShape().get(0);
        long heads = q.getShape().get(1);
        long tokens = q.getShape().get(2);
        long headSize = q.getShape().get(3);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(Scalars.of(q, 1.0f / (float) Math.sqrt(headSize))).add(bias.toType(q.getDataType(), false));
        return scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, tokens, heads * headSize);
    }
}
