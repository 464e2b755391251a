package io.spin.trainer;

import io.spin.core.model.Policy;

/**
 * The policy the trainer just trained and saved, kept in memory as the next iteration's start: pi_{t+1} is the parent
 * of iteration t+1, so that job takes it instead of downloading, verifying and loading the checkpoint it just wrote.
 * After a restart (or for another run's checkpoint) the job loads as before. One policy is kept at a time.
 */
final class WarmPolicy {
    private String manifestSha256;
    private Policy policy;

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
    }

    synchronized void close() {
        if (policy != null) {
            policy.close();
            policy = null;
            manifestSha256 = null;
        }
    }
}
