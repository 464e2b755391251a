package io.spin.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;

/**
 * One bucket of an S3-compatible store through the MinIO Java client. Every call retries transient failures with
 * exponential backoff and then fails with a message naming the object; keys are checked so that nothing coming from
 * a request can escape the prefix it is put under.
 */
public final class ObjectStorage {
    private static final long PART_SIZE = 16L * 1024 * 1024;

    private final MinioClient client;
    private final String bucket;
    private final int attempts;
    private final Duration firstBackoff;

    public ObjectStorage(String endpoint, String accessKey, String secretKey, String bucket, int attempts, Duration firstBackoff) {
        this.client = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).build();
        this.bucket = bucket;
        this.attempts = Math.max(1, attempts);
        this.firstBackoff = firstBackoff;
    }

    public ObjectStorage(String endpoint, String accessKey, String secretKey, String bucket) {
        this(endpoint, accessKey, secretKey, bucket, 6, Duration.ofMillis(250));
    }

    public String bucket() {
        return bucket;
    }

    /** s3://bucket/key */
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /** The key of an s3:// URI of this bucket; refuses other buckets and unsafe keys. */
    public String keyOf(String uri) {
        String prefix = "s3://" + bucket + "/";
        if (!uri.startsWith(prefix)) {
            throw new IllegalArgumentException("'" + uri + "' is not in bucket " + bucket + " (expected " + prefix + "...)");
        }
        return checkKey(uri.substring(prefix.length()));
    }

    /** Refuses keys with empty, "." or ".." segments, a leading slash or backslashes. */
    public static String checkKey(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("\\") || key.contains("//")) {
            throw new IllegalArgumentException("unsafe object key '" + key + "'");
        }
        for (String segment : key.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("unsafe object key '" + key + "': '" + segment + "' segments are not allowed");
            }
        }
        return key;
    }

    public void ensureBucket() {
        retry("create bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            return null;
        });
    }

    /**
     * One request to the bucket, not retried, its outcome ignored. A process's first request loads the client's HTTP,
     * signing and XML classes and opens a connection (about a second on a 2-core machine): made at start, that is not
     * paid by the first real upload on a run's critical path (the pair builder's first snapshot, once).
     */
    public void warmUp() {
        try {
            client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
        } catch (Exception ignored) {
            // unreachable or not allowed yet: the real calls retry and say why
        }
    }

    public void putFile(String key, Path file) {
        checkKey(key);
        retry("upload " + uri(key), () -> {
            try (InputStream in = Files.newInputStream(file)) {
                client.putObject(PutObjectArgs.builder().bucket(bucket).object(key).stream(in, Files.size(file), PART_SIZE).build());
            }
            return null;
        });
    }

    public void putBytes(String key, byte[] bytes, String contentType) {
        checkKey(key);
        retry("upload " + uri(key), () -> {
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key).contentType(contentType)
                    .stream(new ByteArrayInputStream(bytes), (long) bytes.length, -1L).build());
            return null;
        });
    }

    public byte[] getBytes(String key) {
        checkKey(key);
        return retry("download " + uri(key), () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return in.readAllBytes();
            }
        });
    }

    /**
     * The bytes of the object at {@code uri}, checked against the SHA-256 a record gave for them; a mismatch is
     * refused naming the object ({@code what} says what it is, e.g. "pair snapshot").
     */
    public byte[] getVerified(String what, String uri, String sha256) {
        byte[] bytes = getBytes(keyOf(uri));
        String actual = io.spin.data.Sha256.of(bytes);
        if (!actual.equals(sha256)) {
            throw new IllegalStateException(what + " " + uri + " is corrupt: SHA-256 " + actual + ", recorded " + sha256);
        }
        return bytes;
    }

    /** Reads an object as a stream: what a user's data can make large is never held whole. */
    @FunctionalInterface
    public interface StreamReader<T> {
        T read(InputStream in) throws IOException;
    }

    /** The reader's result over the object's bytes, streamed (the download is retried, the reader runs again). */
    public <T> T read(String key, StreamReader<T> reader) {
        checkKey(key);
        return retry("download " + uri(key), () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return reader.read(in);
            } catch (RuntimeException readerRefused) {
                throw new NotRetried(readerRefused); // bad content stays bad: only the transfer is tried again
            }
        });
    }

    /** What a reader refused: passed on at once, never retried. */
    private static final class NotRetried extends RuntimeException {
        NotRetried(RuntimeException cause) {
            super(cause);
        }
    }

    /**
     * As {@link #read}, with the bytes checked against the SHA-256 a record gave for them as they stream by: the reader's
     * result is returned only when they match; otherwise the object is refused naming it, whatever the reader made of it.
     */
    public <T> T readVerified(String what, String uri, String sha256, StreamReader<T> reader) {
        return read(keyOf(uri), in -> {
            java.security.MessageDigest digest = io.spin.data.Sha256.digest();
            try (java.security.DigestInputStream checked = new java.security.DigestInputStream(in, digest)) {
                T result;
                try {
                    result = reader.read(checked);
                } catch (RuntimeException refused) {
                    // corrupt bytes are named as such, not as whatever the reader made of them
                    checked.transferTo(java.io.OutputStream.nullOutputStream());
                    String actual = java.util.HexFormat.of().formatHex(digest.digest());
                    if (!actual.equals(sha256)) {
                        IllegalStateException corrupt = new IllegalStateException(what + " " + uri + " is corrupt: SHA-256 " + actual
                                + ", recorded " + sha256);
                        corrupt.addSuppressed(refused);
                        throw corrupt;
                    }
                    throw refused;
                }
                checked.transferTo(java.io.OutputStream.nullOutputStream()); // what the reader left is part of the object
                String actual = java.util.HexFormat.of().formatHex(digest.digest());
                if (!actual.equals(sha256)) {
                    throw new IllegalStateException(what + " " + uri + " is corrupt: SHA-256 " + actual + ", recorded " + sha256);
                }
                return result;
            }
        });
    }

    /** Copies an object inside the bucket, on the server (nothing passes through this process). */
    public void copy(String fromKey, String toKey) {
        checkKey(fromKey);
        checkKey(toKey);
        retry("copy " + uri(fromKey) + " to " + uri(toKey), () -> {
            client.copyObject(io.minio.CopyObjectArgs.builder().bucket(bucket).object(toKey)
                    .source(io.minio.SourceObject.builder().bucket(bucket).object(fromKey).build()).build());
            return null;
        });
    }

    public void getFile(String key, Path target) {
        checkKey(key);
        retry("download " + uri(key), () -> {
            Path partial = target.resolveSibling(target.getFileName() + ".partial");
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return null;
        });
    }

    public boolean exists(String key) {
        checkKey(key);
        return retry("stat " + uri(key), () -> {
            try {
                client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return true;
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** Keys under a prefix, in the store's (lexicographic) order. */
    public List<String> list(String prefix) {
        return retry("list " + uri(prefix), () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
                keys.add(r.get().objectName());
            }
            return keys;
        });
    }

    /** Deletes every object under a prefix (a folder key ending in '/'); returns how many there were. */
    public int deletePrefix(String prefix) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("a prefix to delete must end with '/': " + prefix);
        }
        checkKey(prefix + "x");
        List<String> keys = list(prefix);
        for (String key : keys) {
            retry("delete " + uri(key), () -> {
                client.removeObject(io.minio.RemoveObjectArgs.builder().bucket(bucket).object(key).build());
                return null;
            });
        }
        return keys.size();
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws Exception;
    }

    private <T> T retry(String what, Call<T> call) {
        Duration backoff = firstBackoff;
        Exception last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                return call.run();
            } catch (NotRetried e) {
                throw (RuntimeException) e.getCause();
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    throw new StorageException(what + ": no such object or bucket", e);
                }
                if (e.errorResponse() != null && "AccessDenied".equals(e.errorResponse().code())
                        || e.errorResponse() != null && "InvalidAccessKeyId".equals(e.errorResponse().code())) {
                    throw new StorageException(what + ": access denied (check the S3 credentials)", e);
                }
                last = e;
            } catch (IOException | RuntimeException e) {
                last = e;
            } catch (Exception e) {
                last = e;
            }
            if (attempt < attempts) {
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException(what + ": interrupted", e);
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
            }
        }
        throw new StorageException(what + " failed after " + attempts + " attempts: " + last, last);
    }

    private static boolean isNotFound(ErrorResponseException e) {
        String code = e.errorResponse() == null ? "" : e.errorResponse().code();
        return code.equals("NoSuchKey") || code.equals("NoSuchBucket") || code.equals("NoSuchObject");
    }
}
