package io.spin.core.model;

import ai.djl.ndarray.NDArray;

/**
 * Scalar operands for arithmetic that autograd records. DJL's {@code array.mul(2f)} wraps the 2 in a tensor over a
 * direct buffer and closes it as soon as the product exists; autograd keeps that tensor for the backward pass, which
 * then reads memory the garbage collector may have freed and malloc handed to someone else. Measured: a product's
 * gradient read a stranger's bytes in 20 of 20 tries once memory was reused, and the demo's training failed now and
 * then on a NaN or infinite gradient norm. A scalar made here stays attached to the operand's manager (and to the
 * active NDScope), so it lives as long as the step's other arrays. Arithmetic outside autograd may keep using
 * {@code op(Number)}: it reads the scalar at once.
 */
public final class Scalars {
    private Scalars() {
    }

    /** {@code value} as a 0-d float32 array on {@code operand}'s manager and device (what DJL's op(Number) makes). */
    public static NDArray of(NDArray operand, float value) {
        NDArray scalar = operand.getManager().create(value);
        ai.djl.ndarray.NDScope.unregister(scalar); // made from Java memory: no scope may release it before backward
        return scalar;
    }
}
