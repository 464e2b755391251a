package io.spin.orchestrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.kafka.clients.producer.ProducerRecord;

import io.spin.commons.ChatTurns;
import io.spin.data.Sha256;
import io.spin.storage.ObjectStorage;
import io.spin.commons.DatasetCopies;
import io.spin.contract.HumanResponse;
import io.spin.contract.Keys;
import io.spin.contract.ObjectRef;
import io.spin.contract.SpinTopic;
import io.spin.data.DatasetException;
import io.spin.data.Example;
import io.spin.data.JsonlDataset;

/**
 * Loads a dataset file (under the data folder, or an s3:// object of the bucket), validates every line, and turns it
 * into records of the compacted human-responses topic under a content-derived id (the table the pair builder joins
 * and that export reads). The caller writes them in the same transaction as the run's RunRequested, so a run never
 * exists with half its data. The file itself is kept as a content-addressed copy, which is what services read.
 */
final class DatasetPublisher {
    record Loaded(String datasetId, ObjectRef copy, List<Example> examples, List<ProducerRecord<String, Object>> records) {
    }

    private final Path dataDir;
    private final ObjectStorage storage;
    private final DatasetCopies copies;
    private final String producerId;

    DatasetPublisher(Path dataDir, ObjectStorage storage, DatasetCopies copies, String producerId) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.storage = storage;
        this.copies = copies;
        this.producerId = producerId;
    }

    Loaded load(String field, String location) {
        byte[] bytes;
        String name;
        if (location.startsWith("s3://")) {
            String key;
            try {
                key = storage.keyOf(location);
            } catch (IllegalArgumentException e) {
                throw new InvalidRunRequest(field, field + ": " + e.getMessage());
            }
            bytes = storage.getBytes(key);
            name = key.substring(key.lastIndexOf('/') + 1);
        } else {
            Path file = dataDir.resolve(location).normalize();
            if (!file.startsWith(dataDir)) {
                throw new InvalidRunRequest(field, field + " '" + location + "' is outside the data folder " + dataDir);
            }
            if (!Files.isRegularFile(file)) {
                throw new InvalidRunRequest(field, field + ": no file '" + location + "' in the data folder " + dataDir);
            }
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new InvalidRunRequest(field, field + ": cannot read " + file + ": " + e.getMessage());
            }
            name = file.getFileName().toString();
        }
        List<Example> examples;
        try {
            examples = JsonlDataset.parse(name, bytes);
        } catch (DatasetException e) {
            throw new InvalidRunRequest(field, e.getMessage());
        }
        String datasetId = "ds-" + Sha256.of(bytes).substring(0, 16);
        List<ProducerRecord<String, Object>> records = examples.stream().map(e -> new ProducerRecord<String, Object>(
                SpinTopic.HUMAN_RESPONSES.topicName(), Keys.humanResponse(datasetId, e.id()), HumanResponse.newBuilder()
                .setDatasetId(datasetId).setPromptId(e.id()).setPrompt(e.prompt()).setResponse(e.response()).setContext(ChatTurns.toEvent(e.context()))
                .setSourceFile(e.sourceFile()).setSourceLine(e.sourceLine()).setProducerId(producerId).build())).toList();
        return new Loaded(datasetId, copies.store(name, bytes), examples, records);
    }
}
