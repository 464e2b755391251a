package io.spin.commons;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.spin.commons.kafka.TopicReader;
import io.spin.contract.HumanResponse;
import io.spin.contract.ObjectRef;
import io.spin.contract.SpinTopic;
import io.spin.data.Example;
import io.spin.data.JsonlDataset;
import io.spin.data.Sha256;
import io.spin.storage.ObjectStorage;

/**
 * Datasets as runs read them: the loaded file, kept once under {@code datasets/<sha256>/<file name>}
 * (content-addressed: the same file is stored once, whoever loads it), read back SHA-256 checked and parsed by the same
 * parser that validated it. What it costs follows the dataset, never the human-responses topic's history; the last
 * few parsed datasets are kept, so a run reads each once, not once per iteration.
 */
public final class DatasetCopies {
    private final ObjectStorage storage;
    private final TopicReader legacyTopic;
    private final Map<String, List<Example>> parsed;

    /**
     * @param legacyTopic reads runs recorded before copies existed (their RunConfig names no copy)
     * @param cachedDatasets parsed datasets kept in memory, least recently used dropped first
     */
    public DatasetCopies(ObjectStorage storage, TopicReader legacyTopic, int cachedDatasets) {
        this.storage = storage;
        this.legacyTopic = legacyTopic;
        this.parsed = new LinkedHashMap<>(8, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, List<Example>> eldest) {
                return size() > cachedDatasets;
            }
        };
    }

    /** As {@link #store(ObjectStorage, Path)}, for bytes already in memory (tests, small files). */
    public static ObjectRef store(ObjectStorage storage, String fileName, byte[] bytes) {
        String sha = Sha256.of(bytes);
        String key = key(sha, fileName);
        if (!storage.exists(key)) {
            storage.putBytes(key, bytes, "application/x-ndjson");
        }
        return ObjectRef.newBuilder().setUri(storage.uri(key)).setSha256(sha).setBytes(bytes.length).build();
    }

    /**
     * Keeps a dataset file under its SHA-256 (uploaded as it streams from disk, in parts; the same file is stored once)
     * and returns the reference runs record. The CLI uploads this way before it submits a run.
     */
    public static ObjectRef store(ObjectStorage storage, Path file) throws IOException {
        String sha = Sha256.of(file);
        String key = key(sha, file.getFileName().toString());
        if (!storage.exists(key)) {
            storage.putFile(key, file);
        }
        return ObjectRef.newBuilder().setUri(storage.uri(key)).setSha256(sha).setBytes(Files.size(file)).build();
    }

    /**
     * The copy of the dataset with this id (ds- and the first 16 hex digits of its SHA-256), or null when object storage
     * holds none (a dataset loaded before copies existed). Its size is not looked up (-1).
     */
    public static ObjectRef find(ObjectStorage storage, String datasetId) {
        if (!datasetId.matches("ds-[0-9a-f]{16}")) {
            return null;
        }
        for (String key : storage.list("datasets/" + datasetId.substring(3))) {
            String[] parts = key.split("/");
            if (parts.length == 3 && parts[1].length() == 64) {
                return ObjectRef.newBuilder().setUri(storage.uri(key)).setSha256(parts[1]).setBytes(-1).build();
            }
        }
        return null;
    }

    /** Where the copy of a file with this content and name is kept. */
    public static String key(String sha256, String fileName) {
        return "datasets/" + sha256 + "/" + fileName.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * Streams the copy's examples in file order to {@code each}, parsed by the parser that validated it and SHA-256
     * checked as they stream by (a copy that does not match fails naming it, after {@code each} saw what came before);
     * returns how many there were. Memory follows the longest line, not the dataset.
     */
    public int forEach(ObjectRef copy, Consumer<Example> each) {
        String name = copy.getUri().substring(copy.getUri().lastIndexOf('/') + 1);
        return storage.readVerified("dataset copy", copy.getUri(), copy.getSha256(), in -> JsonlDataset.scan(name, in, each));
    }

    /**
     * The dataset's examples in file order, held in memory (the trainer's, which trains on them all): from its copy when
     * the run recorded one, else (older runs) from the human-responses topic. Fails naming the object when the copy does
     * not match its SHA-256 or holds too few examples.
     */
    public synchronized List<Example> examples(ObjectRef copy, String datasetId, int expected) {
        String cacheKey = copy != null ? copy.getSha256() : datasetId;
        List<Example> examples = parsed.get(cacheKey);
        if (examples == null) {
            examples = copy != null ? fromCopy(copy) : fromTopic(datasetId);
            // a copy is the very file the run recorded; the topic may also hold an older load of the same prompts
            if (copy != null ? examples.size() != expected : examples.size() < expected) {
                throw new IllegalStateException("dataset " + datasetId + ": " + examples.size() + " of " + expected + " examples in "
                        + (copy != null ? copy.getUri() : SpinTopic.HUMAN_RESPONSES.topicName()));
            }
            parsed.put(cacheKey, examples);
        }
        return examples;
    }

    private List<Example> fromCopy(ObjectRef copy) {
        List<Example> examples = new ArrayList<>();
        forEach(copy, examples::add);
        return examples;
    }

    private List<Example> fromTopic(String datasetId) {
        Map<String, HumanResponse> latest = new LinkedHashMap<>();
        legacyTopic.<Object>readAll(SpinTopic.HUMAN_RESPONSES.topicName(), r -> {
            if (r.value() instanceof HumanResponse h && h.getDatasetId().equals(datasetId)) {
                latest.put(h.getPromptId(), h);
            }
        });
        List<HumanResponse> ordered = new ArrayList<>(latest.values());
        ordered.sort(java.util.Comparator.comparingInt(HumanResponse::getSourceLine).thenComparing(HumanResponse::getPromptId));
        return ordered.stream().map(h -> new Example(h.getPromptId(), h.getPrompt(), h.getResponse(), h.getSourceFile(),
                h.getSourceLine(), ChatTurns.fromEvent(h.getContext()))).toList();
    }
}
