package io.spin.storage;

/** Object storage failed (after retries, or for a reason retrying cannot fix). */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
