package io.spin.data.checkpoint;

import java.util.List;
import java.util.Map;

/**
 * manifest.json of a checkpoint: what it is, where it came from, and the SHA-256 of every other file.
 *
 * @param formatVersion version of this layout
 * @param id checkpoint id, e.g. "run-1/iter-0"
 * @param parent the checkpoint training started from, or null
 * @param createdAt ISO-8601 time
 * @param files every file of the checkpoint but the manifest
 * @param training training configuration that produced it (free-form)
 * @param metrics metrics of that training and evaluation (free-form)
 */
public record Manifest(int formatVersion, String id, Parent parent, String createdAt, List<FileEntry> files,
                       Map<String, Object> training, Map<String, Object> metrics) {

    public static final int FORMAT_VERSION = 1;
    public static final String FILE_NAME = "manifest.json";

    public record FileEntry(String name, String sha256, long bytes) {
    }

    public record Parent(String id, String uri, String manifestSha256) {
    }
}
