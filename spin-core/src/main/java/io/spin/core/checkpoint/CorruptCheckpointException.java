package io.spin.core.checkpoint;

/** A checkpoint whose bytes do not match its manifest; never train or sample from it. The message names the file. */
public class CorruptCheckpointException extends RuntimeException {
    public CorruptCheckpointException(String message) {
        super(message);
    }
}
