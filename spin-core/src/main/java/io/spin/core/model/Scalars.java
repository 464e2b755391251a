package io.spin.core.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;

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
    /** More distinct constants than any model has: beyond it, a per-step value was passed to {@link #constant}. */
    static final int MOST_CONSTANTS = 256;
    private static final Map<Key, NDArray> CONSTANTS = new ConcurrentHashMap<>();
    private static final Map<Device, NDManager> MANAGERS = new ConcurrentHashMap<>();
    private static final AtomicInteger MADE = new AtomicInteger();

    private record Key(Device device, DataType type, float value) {
    }

    private Scalars() {
    }

    /** {@code value} as a 0-d float32 array on {@code operand}'s manager and device (what DJL's op(Number) makes). */
    public static NDArray of(NDArray operand, float value) {
        NDArray scalar = operand.getManager().create(value);
        NDScope.unregister(scalar); // made from Java memory: no scope may release it before backward
        MADE.incrementAndGet();
        return scalar;
    }

    /**
     * A constant of the model's architecture (a norm's eps, 1/sqrt(head size), an adapter's scale, GELU's
     * coefficients) as a 0-d array of the operand's type on its device, made once per process and reused by every
     * forward pass. On a GPU each new scalar is a host-to-device copy that waits for the device, several per layer and
     * step; a constant is copied once. It lives as long as the process, in a manager of its own that is never closed,
     * so autograd may hold it. Values that change per step (a loss's beta, a batch's token count) use {@link #of}.
     */
    public static NDArray constant(NDArray operand, float value) {
        Key key = new Key(operand.getDevice(), operand.getDataType(), value);
        NDArray cached = CONSTANTS.get(key);
        return cached != null ? cached : CONSTANTS.computeIfAbsent(key, k -> make(operand, k));
    }

    private static NDArray make(NDArray operand, Key key) {
        if (CONSTANTS.size() >= MOST_CONSTANTS) {
            throw new IllegalStateException("more than " + MOST_CONSTANTS + " distinct model constants (now " + key.value()
                    + "): a value that changes per step belongs in Scalars.of, not Scalars.constant");
        }
        NDManager manager = MANAGERS.computeIfAbsent(key.device(), d -> operand.getManager().getEngine().newBaseManager(d));
        NDArray scalar = manager.create(key.value()).toType(key.type(), false);
        NDScope.unregister(scalar);
        scalar.setName("constant " + key.value());
        MADE.incrementAndGet();
        return scalar;
    }

    /** Scalars made so far by {@link #of} and {@link #constant} together (constants once each). */
    static int made() {
        return MADE.get();
    }
}
