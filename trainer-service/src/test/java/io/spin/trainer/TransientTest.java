package io.spin.trainer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.spin.core.checkpoint.CorruptCheckpointException;
import io.spin.storage.StorageException;

class TransientTest {

    @Test
    void storageOrBrokerAwayIsWorthAnotherAttemptBadDataIsNot() {
        assertTrue(Transient.isTransient(new StorageException("download s3://spin/x failed after 5 attempts: connection refused", null)));
        assertTrue(Transient.isTransient(new IllegalStateException("could not write control event TrainingProgress of run r",
                new java.util.concurrent.ExecutionException(new org.apache.kafka.common.errors.TimeoutException("expired")))));
        assertFalse(Transient.isTransient(new StorageException("download s3://spin/x: no such object or bucket", null)));
        assertFalse(Transient.isTransient(new StorageException("upload s3://spin/x: access denied (check the S3 credentials)", null)));
        assertFalse(Transient.isTransient(new CorruptCheckpointException("model.params: SHA-256 mismatch")));
        assertFalse(Transient.isTransient(new IllegalStateException("pair snapshot s3://spin/p is corrupt")));
    }
}
