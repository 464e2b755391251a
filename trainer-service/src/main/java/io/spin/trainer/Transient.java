package io.spin.trainer;

import org.apache.kafka.common.errors.RetriableException;

import io.spin.storage.StorageException;

/** Failures that may pass by themselves: worth another attempt, unlike bad data, a corrupt checkpoint or a NaN loss. */
final class Transient {
    private Transient() {
    }

    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StorageException && !(t.getMessage() != null && (t.getMessage().contains("no such object")
                    || t.getMessage().contains("access denied")))) {
                return true;
            }
            if (t instanceof RetriableException || t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }
}
