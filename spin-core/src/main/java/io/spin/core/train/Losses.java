package io.spin.core.train;

import ai.djl.ndarray.NDArray;
import io.spin.core.model.Scalars;

/** The SPIN losses, on NDArrays for training and on doubles for checks by hand. */
public final class Losses {
    private Losses() {
    }

    /** Per-pair loss (same shape as logits). */
    public static NDArray spin(NDArray logits, double beta, LossType type) {
        NDArray z = logits.mul(Scalars.of(logits, (float) beta));
        return switch (type) {
            case SIGMOID -> softplus(z.neg());
            case HINGE -> z.neg().add(Scalars.constant(z, 1f)).maximum(Scalars.constant(z, 0f));
        };
    }

    /** log(1 + exp(x)) without overflow: max(x, 0) + log(1 + exp(-|x|)). */
    static NDArray softplus(NDArray x) {
        return x.maximum(Scalars.constant(x, 0f)).add(x.abs().neg().exp().add(Scalars.constant(x, 1f)).log());
    }

    public static double spin(double logits, double beta, LossType type) {
        double z = beta * logits;
        return switch (type) {
            case SIGMOID -> Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
            case HINGE -> Math.max(0, 1 - z);
        };
    }
}
