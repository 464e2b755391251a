package io.spin.pairbuilder;

import java.nio.file.Path;

import io.spin.contract.ObjectRef;

/** Where an iteration's pairs.jsonl goes (object storage in production, memory in topology tests). */
@FunctionalInterface
public interface SnapshotSink {
    /** Stores the file (already digested: its SHA-256 and size are given) and returns where it now is. */
    ObjectRef write(String runId, int iteration, Path jsonl, String sha256, long bytes);
}
