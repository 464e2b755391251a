package io.spin.data;

/** A dataset could not be read; the message names the file and, where there is one, the line. */
public class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }
}
