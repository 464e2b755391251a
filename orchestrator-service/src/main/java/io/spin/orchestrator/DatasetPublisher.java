package io.spin.orchestrator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.ProducerRecord;

import io.spin.commons.ChatTurns;
import io.spin.commons.DatasetCopies;
import io.spin.contract.HumanResponse;
import io.spin.contract.Keys;
import io.spin.contract.ObjectRef;
import io.spin.contract.SpinTopic;
import io.spin.data.DatasetException;
import io.spin.data.Example;
import io.spin.data.JsonlDataset;
import io.spin.data.Sha256;
import io.spin.data.Utf8;
import io.spin.storage.ObjectStorage;

/**
 * Loads a dataset (a file under the data folder, or an s3:// object of the bucket) in two streamed passes, so memory
 * follows the longest line, never the file: {@link #load} checks every line and hashes the bytes (its content-derived
 * id) and keeps a content-addressed copy, which is what services read; {@link #publish} then reads that copy again
 * (SHA-256 checked) into records of the compacted human-responses topic (the table the pair builder joins and export
 * reads), in transactions of bounded size. The caller writes RunRequested only after them, so a crash part way leaves
 * no run, only rows that a later load of the same file writes again with the same keys.
 */
final class DatasetPublisher {
    record Loaded(String datasetId, ObjectRef copy, int examples) {
    }

    /** A transaction's bound: this many text bytes or {@link #chunkRecords} records, whichever comes first. */
    static final int CHUNK_TEXT_BYTES = 4 << 20;

    private final Path dataDir;
    private final ObjectStorage storage;
    private final DatasetCopies copies;
    private final String producerId;
    private final int chunkRecords;

    DatasetPublisher(Path dataDir, ObjectStorage storage, DatasetCopies copies, String producerId, int chunkRecords) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.storage = storage;
        this.copies = copies;
        this.producerId = producerId;
        this.chunkRecords = chunkRecords;
    }

    private record Scan(String sha256, long bytes, int examples) {
    }

    Loaded load(String field, String location) {
        try {
            if (location.startsWith("s3://")) {
                return loadObject(field, location);
            }
            return loadFile(field, location);
        } catch (DatasetException e) {
            throw new InvalidRunRequest(field, e.getMessage());
        }
    }

    private Loaded loadObject(String field, String location) {
        String key;
        try {
            key = storage.keyOf(location);
        } catch (IllegalArgumentException e) {
            throw new InvalidRunRequest(field, field + ": " + e.getMessage());
        }
        if (!storage.exists(key)) {
            throw new InvalidRunRequest(field, field + ": no object " + location);
        }
        String name = key.substring(key.lastIndexOf('/') + 1);
        Scan scan = storage.read(key, in -> scan(name, in));
        String copyKey = DatasetCopies.key(scan.sha256(), name);
        if (!copyKey.equals(key) && !storage.exists(copyKey)) {
            storage.copy(key, copyKey);
        }
        return loaded(scan, copyKey);
    }

    private Loaded loadFile(String field, String location) {
        Path file = dataDir.resolve(location).normalize();
        if (!file.startsWith(dataDir)) {
            throw new InvalidRunRequest(field, field + " '" + location + "' is outside the data folder " + dataDir);
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidRunRequest(field, field + ": no file '" + location + "' in the data folder " + dataDir);
        }
        try {
            Scan scan;
            try (InputStream in = Files.newInputStream(file)) {
                scan = scan(file.getFileName().toString(), in);
            }
            ObjectRef copy = DatasetCopies.store(storage, file);
            if (!copy.getSha256().equals(scan.sha256())) {
                throw new InvalidRunRequest(field, field + ": " + file + " changed while it was read; submit it again");
            }
            return new Loaded(datasetId(scan), copy, scan.examples());
        } catch (IOException e) {
            throw new InvalidRunRequest(field, field + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    private Loaded loaded(Scan scan, String copyKey) {
        ObjectRef copy = ObjectRef.newBuilder().setUri(storage.uri(copyKey)).setSha256(scan.sha256()).setBytes(scan.bytes()).build();
        return new Loaded(datasetId(scan), copy, scan.examples());
    }

    private static String datasetId(Scan scan) {
        return "ds-" + scan.sha256().substring(0, 16);
    }

    /** Checks every line as the bytes stream by, hashing them. */
    private static Scan scan(String name, InputStream in) throws IOException {
        MessageDigest digest = Sha256.digest();
        CountingStream counted = new CountingStream(new DigestInputStream(in, digest));
        int examples = JsonlDataset.scan(name, counted, e -> { });
        counted.transferTo(java.io.OutputStream.nullOutputStream());
        return new Scan(HexFormat.of().formatHex(digest.digest()), counted.count, examples);
    }

    /**
     * Writes the dataset's human responses, read from its copy, each chunk through {@code write} (one transaction each);
     * returns how many.
     */
    int publish(Loaded dataset, Consumer<List<ProducerRecord<String, Object>>> write) {
        Chunks chunks = new Chunks(write);
        int published = copies.forEach(dataset.copy(), e -> chunks.add(record(dataset.datasetId(), e),
                Utf8.length(e.prompt()) + Utf8.length(e.response()) + e.context().stream().mapToInt(m -> Utf8.length(m.content())).sum()));
        chunks.flush();
        return published;
    }

    /** Tombstones every row of the dataset (keys from its copy), each chunk through {@code write}; returns how many. */
    int forget(String datasetId, ObjectRef copy, Consumer<List<ProducerRecord<String, Object>>> write) {
        Chunks chunks = new Chunks(write);
        int forgotten = copies.forEach(copy, e -> chunks.add(new ProducerRecord<>(SpinTopic.HUMAN_RESPONSES.topicName(),
                Keys.humanResponse(datasetId, e.id()), null), 0));
        chunks.flush();
        return forgotten;
    }

    /** Records gathered into transactions of at most {@link #chunkRecords} records or {@link #CHUNK_TEXT_BYTES} text bytes. */
    private final class Chunks {
        private final Consumer<List<ProducerRecord<String, Object>>> write;
        private List<ProducerRecord<String, Object>> chunk = new ArrayList<>();
        private long textBytes;

        Chunks(Consumer<List<ProducerRecord<String, Object>>> write) {
            this.write = write;
        }

        void add(ProducerRecord<String, Object> record, long bytes) {
            chunk.add(record);
            textBytes += bytes;
            if (chunk.size() >= chunkRecords || textBytes >= CHUNK_TEXT_BYTES) {
                flush();
            }
        }

        void flush() {
            if (!chunk.isEmpty()) {
                write.accept(chunk);
            }
            chunk = new ArrayList<>();
            textBytes = 0;
        }
    }

    private ProducerRecord<String, Object> record(String datasetId, Example e) {
        return new ProducerRecord<>(SpinTopic.HUMAN_RESPONSES.topicName(), Keys.humanResponse(datasetId, e.id()), HumanResponse.newBuilder()
                .setDatasetId(datasetId).setPromptId(e.id()).setPrompt(e.prompt()).setResponse(e.response())
                .setContext(ChatTurns.toEvent(e.context())).setSourceFile(e.sourceFile()).setSourceLine(e.sourceLine())
                .setProducerId(producerId).build());
    }

    /** Counts the bytes read through it. */
    private static final class CountingStream extends java.io.FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
