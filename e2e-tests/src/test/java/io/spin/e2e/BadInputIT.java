package io.spin.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.spin.commons.kafka.TopicReader;
import io.spin.storage.ObjectStorage;
import io.spin.contract.DeadLetter;
import io.spin.contract.SpinTopic;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.checkpoint.CheckpointStore;
import io.spin.data.model.ModelConfig;
import io.spin.core.model.Policy;
import io.spin.data.text.PromptFormat;
import io.spin.stack.LocalServices;
import io.spin.cli.RunClient;
import io.spin.stack.SharedStack;
import io.spin.commons.stack.StackEndpoints;

/** Garbage on every input topic is dead-lettered with its source, and the system goes on; a bad checkpoint fails its run. */
class BadInputIT {
    static StackEndpoints endpoints;
    static LocalServices services;
    static ObjectStorage storage;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        endpoints = SharedStack.endpoints();
        storage = endpoints.objectStorage();
        home = Files.createTempDirectory("spin-bad-input-");
        services = new LocalServices(home, SpinRunIT.ROOT, SpinRunIT.freeBlock(), 1, System.out);
        services.up(endpoints);
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.down();
        }
    }

    @Test
    void garbageOnEveryInputTopicIsDeadLetteredAndARunStillCompletes() throws Exception {
        Map<String, RecordMetadata> written = new HashMap<>();
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(io.spin.contract.KafkaCredentials.secured(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(), ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class)))) {
            byte[] garbage = ("not avro " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
            for (SpinTopic topic : List.of(SpinTopic.GENERATION_REQUESTS, SpinTopic.SAMPLES, SpinTopic.HUMAN_RESPONSES, SpinTopic.CONTROL,
                    SpinTopic.PAIRS, SpinTopic.GENERATOR_REPORTS, SpinTopic.PAIR_BUILDER_REPORTS, SpinTopic.TRAINER_REPORTS)) {
                written.put(topic.topicName(), raw.send(new ProducerRecord<>(topic.topicName(), "garbage-" + UUID.randomUUID(), garbage)).get());
            }
        }
        // the consumers go on: a run still completes (its SPIN iteration also reads past the garbage in the pairs topic)
        Path train = home.resolve("train.jsonl");
        Files.write(train, Files.readAllLines(SpinRunIT.ROOT.resolve("data/wordnet/train.jsonl")).subList(0, 8));
        RunClient client = new RunClient(services.orchestratorUrl(), storage, System.out);
        Map<String, Object> request = new HashMap<>(Map.of("trainDataset", client.upload(train), "modelPreset", "tiny", "iterations", 1,
                "sftEpochs", 1, "seed", 2));
        request.put("sampling", Map.of("maxNewTokens", 16));
        JsonNode run = client.follow(client.submit(request), Duration.ofMillis(500));
        assertEquals("COMPLETED", run.path("status").asText(), run.toPrettyString());
        TopicReader reader = new TopicReader(endpoints.kafkaClientConfig(), endpoints.registryApiV3());
        Map<String, DeadLetter> letters = new HashMap<>();
        Map<String, Integer> lettersPerTopic = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (letters.size() < written.size() && System.nanoTime() < deadline) {
            lettersPerTopic.clear();
            reader.<Object>readAll(SpinTopic.DEAD_LETTERS.topicName(), r -> {
                if (r.value() instanceof DeadLetter d) {
                    RecordMetadata m = written.get(d.getSourceTopic());
                    if (m != null && m.partition() == d.getPartition() && m.offset() == d.getOffset()) {
                        letters.put(d.getSourceTopic(), d);
                        lettersPerTopic.merge(d.getSourceTopic(), 1, Integer::sum);
                    }
                }
            });
            Thread.sleep(500);
        }
        assertEquals(written.keySet(), letters.keySet(), "each bad record dead-lettered with its topic, partition and offset");
        letters.values().forEach(d -> assertTrue(!d.getError().isBlank() && d.getOriginalValue() != null, d.toString()));
        // the global table reads it leniently and only the pair builder's audit consumer reports it
        assertEquals(1, lettersPerTopic.get(SpinTopic.HUMAN_RESPONSES.topicName()), "human-responses garbage dead-lettered once");

    }

    @Test
    void aCheckpointWhoseBytesDoNotMatchItsManifestFailsTheRunNamingTheFile() throws Exception {
        Path local = home.resolve("ckpt");
        String prefix = "tests/" + UUID.randomUUID() + "/checkpoint/";
        try (Policy policy = Policy.create(ModelConfig.preset("tiny"), PromptFormat.DEFAULT_TEMPLATE, 3)) {
            CheckpointFiles.save(policy, null, local, "tampered", null, Map.of(), Map.of());
        }
        CheckpointStore.Stored stored = new CheckpointStore(storage, home.resolve("cache")).upload(local, prefix);
        byte[] params = storage.getBytes(prefix + "model.params");
        params[params.length / 3] ^= 0x01;
        storage.putBytes(prefix + "model.params", params, "application/octet-stream");
        Path train = home.resolve("train-2.jsonl");
        Files.write(train, Files.readAllLines(SpinRunIT.ROOT.resolve("data/wordnet/train.jsonl")).subList(10, 14));
        RunClient client = new RunClient(services.orchestratorUrl(), storage, System.out);
        String runId = client.submit(Map.of("trainDataset", client.upload(train), "iterations", 1,
                "sftCheckpoint", Map.of("uri", stored.uri(), "manifestSha256", stored.manifestSha256())));
        JsonNode run = client.follow(runId, Duration.ofMillis(500));
        assertEquals("FAILED", run.path("status").asText());
        assertTrue(run.path("stopReason").asText().contains("model.params"), run.path("stopReason").asText());
        assertEquals(0, run.path("iterations").get(0).path("pairs").asInt(0), "nothing sampled from the tampered checkpoint");
    }
}
