package io.spin.pairbuilder;

import io.spin.contract.ObjectRef;

/** Where an iteration's pairs.jsonl goes (object storage in production, memory in topology tests). */
@FunctionalInterface
public interface SnapshotSink {
    ObjectRef write(String runId, int iteration, byte[] jsonl);
}
