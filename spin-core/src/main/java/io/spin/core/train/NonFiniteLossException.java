package io.spin.core.train;

/** Training stopped because a loss was NaN or infinite; the weights were not updated with it. */
public class NonFiniteLossException extends RuntimeException {
    public NonFiniteLossException(int step, double loss) {
        super("non-finite loss " + loss + " at step " + step + "; training stopped before applying it");
    }
}
