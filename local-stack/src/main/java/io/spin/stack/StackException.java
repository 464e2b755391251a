package io.spin.stack;

/** A failure of the local stack whose message is meant for the user as it is. */
public class StackException extends RuntimeException {
    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
