package io.spin.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.spin.data.Sha256;
import io.spin.data.checkpoint.Manifest;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.checkpoint.CorruptCheckpointException;
import io.spin.core.model.Policy;
import io.spin.storage.ObjectStorage;

/**
 * Checkpoints in object storage: the folder's files under a prefix, manifest.json uploaded LAST so that a visible
 * manifest means a complete checkpoint. Downloads go to a local cache keyed by the manifest's SHA-256 and are
 * verified file by file before use.
 */
public final class CheckpointStore {
    /** Checkpoints kept in a local cache unless told otherwise: pi_t and pi_{t+1}, and one more. */
    public static final int DEFAULT_CACHED = 3;
    private final ObjectStorage storage;
    private final Path cache;
    private final int cached;

    public CheckpointStore(ObjectStorage storage, Path cache) {
        this(storage, cache, DEFAULT_CACHED);
    }

    /** @param cached verified checkpoints kept in the local cache; the least recently used beyond that are deleted */
    public CheckpointStore(ObjectStorage storage, Path cache, int cached) {
        this.storage = storage;
        this.cache = cache;
        this.cached = cached;
    }

    public record Stored(String uri, String manifestSha256) {
    }

    /** Uploads a verified local checkpoint to {@code prefix} (a folder key ending in '/'). */
    public Stored upload(Path dir, String prefix) throws IOException {
        String folder = prefix.endsWith("/") ? prefix : prefix + "/";
        ObjectStorage.checkKey(folder + Manifest.FILE_NAME);
        Manifest manifest = CheckpointFiles.verify(dir, null);
        for (Manifest.FileEntry file : manifest.files()) {
            storage.putFile(folder + file.name(), dir.resolve(file.name()));
        }
        storage.putFile(folder + Manifest.FILE_NAME, dir.resolve(Manifest.FILE_NAME));
        return new Stored(storage.uri(folder), Sha256.of(dir.resolve(Manifest.FILE_NAME)));
    }

    /** The verified local copy of a stored checkpoint (downloaded once, then served from the cache). */
    public Path fetch(String uri, String manifestSha256) throws IOException {
        String folder = storage.keyOf(uri.endsWith("/") ? uri : uri + "/");
        if (!manifestSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("manifest SHA-256 must be 64 lower-case hex digits, not '" + manifestSha256 + "'");
        }
        Path local = cache.resolve(manifestSha256);
        if (Files.isDirectory(local)) {
            try {
                CheckpointFiles.verify(local, manifestSha256);
                Files.setLastModifiedTime(local, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
                return local;
            } catch (CorruptCheckpointException e) {
                deleteTree(local); // a damaged cache entry is fetched again
            }
        }
        Files.createDirectories(cache);
        Path partial = Files.createTempDirectory(cache, "download-");
        try {
            storage.getFile(folder + Manifest.FILE_NAME, partial.resolve(Manifest.FILE_NAME));
            String actual = Sha256.of(partial.resolve(Manifest.FILE_NAME));
            if (!actual.equals(manifestSha256)) {
                throw new CorruptCheckpointException(uri + Manifest.FILE_NAME + ": SHA-256 " + actual + " does not match the expected "
                        + manifestSha256);
            }
            for (Manifest.FileEntry file : CheckpointFiles.readManifest(partial).files()) {
                Path target = partial.resolve(file.name()).normalize();
                if (!target.startsWith(partial)) {
                    throw new CorruptCheckpointException(uri + Manifest.FILE_NAME + ": file name '" + file.name() + "' escapes the checkpoint");
                }
                storage.getFile(folder + file.name(), target);
            }
            try {
                CheckpointFiles.verify(partial, manifestSha256);
            } catch (CorruptCheckpointException e) {
                throw new CorruptCheckpointException("checkpoint " + uri + ": " + e.getMessage());
            }
            Files.move(partial, local, StandardCopyOption.ATOMIC_MOVE);
            Files.setLastModifiedTime(local, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
            evictBeyond(cached, local);
            return local;
        } finally {
            if (Files.exists(partial)) {
                deleteTree(partial);
            }
        }
    }

    /**
     * The stored model: a whole one, or a LoRA checkpoint's base (fetched and loaded first) with its adapters attached.
     * The policy remembers where its (base) weights are stored, so its own adapter checkpoints can name them.
     */
    public Policy load(String uri, String manifestSha256) throws IOException {
        Path dir = fetch(uri, manifestSha256);
        Policy.StoredModel base = CheckpointFiles.baseOf(dir);
        if (base == null) {
            Policy policy = CheckpointFiles.load(dir, manifestSha256);
            policy.storedAs(new Policy.StoredModel(uri, manifestSha256));
            return policy;
        }
        Policy policy = load(base.uri(), base.manifestSha256());
        try {
            policy.attach(CheckpointFiles.loadAdapters(fetch(uri, manifestSha256), manifestSha256, policy));
            return policy;
        } catch (IOException | RuntimeException e) {
            policy.close();
            throw e;
        }
    }

    /**
     * Replaces a loaded adapter policy's adapters with those of another adapter checkpoint on the same base, keeping
     * the base loaded (a generator moving to the next iteration). False when the checkpoint holds a whole model or
     * adapters on another base: load it instead.
     */
    public boolean swapAdapters(Policy policy, String uri, String manifestSha256) throws IOException {
        Path dir = fetch(uri, manifestSha256);
        Policy.StoredModel base = CheckpointFiles.baseOf(dir);
        if (base == null || policy.lora() == null || policy.base() == null || !base.manifestSha256().equals(policy.base().manifestSha256())) {
            return false;
        }
        policy.replace(CheckpointFiles.loadAdapters(dir, manifestSha256, policy));
        return true;
    }

    /** Keeps the {@code keep} most recently used cache entries (never {@code current}), deleting the others. */
    private void evictBeyond(int keep, Path current) throws IOException {
        List<Path> entries;
        try (Stream<Path> dirs = Files.list(cache)) {
            entries = dirs.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).sorted(Comparator.comparing((Path p) -> {
                try {
                    return Files.getLastModifiedTime(p);
                } catch (IOException e) {
                    return java.nio.file.attribute.FileTime.fromMillis(0);
                }
            }).reversed()).toList();
        }
        for (Path old : entries.subList(Math.min(keep, entries.size()), entries.size())) {
            if (!old.equals(current)) {
                deleteTree(old);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
