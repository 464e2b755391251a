package io.spin.trainer;

import io.spin.core.model.Policy;

/**
 * The policy the trainer just trained and saved, kept in memory as the next iteration's start: pi_{t+1} is the parent
 * of iteration t+1, so that job takes it instead of downloading, verifying and loading the checkpoint it just wrote.
 * After a restart (or for another run's checkpoint) the job loads as before. One policy is kept at a time, with what
 * was prepared from it for that next iteration ({@link #prepare}: the eval pairs it samples), which the next job takes
 * instead of preparing it on its own critical path.
 */
final class WarmPolicy {
    private String manifestSha256;
    private Policy policy;
    private String preparedFor;
    private Object prepared;

    /** The kept policy if it is this checkpoint (handed over: the caller owns it now), else null. */
    synchronized Policy take(String manifestSha256) {
        if (policy == null || !manifestSha256.equals(this.manifestSha256)) {
            return null;
        }
        Policy taken = policy;
        policy = null;
        this.manifestSha256 = null;
        return taken;
    }

    /** Keeps the policy saved as this checkpoint, closing the one kept before. */
    synchronized void keep(String manifestSha256, Policy trained) {
        if (policy != null && policy != trained) {
            policy.close();
        }
        this.manifestSha256 = manifestSha256;
        this.policy = trained;
        preparedFor = null;
        prepared = null;
    }

    /** Keeps something prepared from the kept policy, for the job named {@code purpose}; dropped when another is kept. */
    synchronized void prepare(String purpose, Object value) {
        preparedFor = purpose;
        prepared = value;
    }

    /** What was prepared for this purpose (handed over), or null. */
    synchronized <T> T takePrepared(String purpose, Class<T> type) {
        if (prepared == null || !purpose.equals(preparedFor) || !type.isInstance(prepared)) {
            return null;
        }
        T taken = type.cast(prepared);
        prepared = null;
        preparedFor = null;
        return taken;
    }

    synchronized void close() {
        if (policy != null) {
            policy.close();
            policy = null;
            manifestSha256 = null;
        }
        prepared = null;
        preparedFor = null;
    }
}
