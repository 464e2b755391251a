package io.spin.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Scaled dot-product attention, the block both families share. */
final class Attention {
    private Attention() {
    }

    /**
     * softmax(q k^T / sqrt(headSize) + bias) v for q, k, v of (batch, heads, tokens or keys, headSize); returns the heads
     * side by side, (batch, tokens, heads x headSize). The bias (float32 masks) is added and the softmax taken in
     * float32 whatever q's precision, as transformers does: in float16 the mask's -1e9 would be -inf, and a row whose
     * keys are all masked (a left-padded query) would softmax to NaN, which the next layer spreads to the whole row.
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray bias) {
        long batch = q.getShape().get(0);
        long heads = q.getShape().get(1);
        long tokens = q.getShape().get(2);
        long headSize = q.getShape().get(3);
        DataType type = q.getDataType();
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(Scalars.constant(q, 1.0f / (float) Math.sqrt(headSize)));
        NDArray weights = scores.toType(DataType.FLOAT32, false).add(bias.toType(DataType.FLOAT32, false)).softmax(-1).toType(type, false);
        return weights.matMul(v).transpose(0, 2, 1, 3).reshape(batch, tokens, heads * headSize);
    }
}
