package io.spin.core.train;

/** Training stopped because a loss or its gradient was NaN or infinite; the weights were not updated with it. */
public class NonFiniteLossException extends RuntimeException {
    public NonFiniteLossException(int step, double loss) {
        this(step, "loss", loss);
    }

    public NonFiniteLossException(int step, String what, double value) {
        super("non-finite " + what + " " + value + " at step " + step + "; training stopped before applying it");
    }
}
