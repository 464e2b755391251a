package io.spin.core.generate;

/** Sampling met a NaN or infinite logit; the message names the model, its precision, the step and the row. */
public final class NonFiniteLogitsException extends IllegalStateException {
    NonFiniteLogitsException(String message) {
        super(message);
    }
}
