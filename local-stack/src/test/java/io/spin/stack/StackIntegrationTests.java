package io.spin.stack;

import io.spin.commons.stack.StackEndpoints;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.spin.commons.registry.RegistrySchemas;
import io.spin.contract.PreferencePair;
import io.spin.contract.SampleEvents;
import io.spin.contract.SpinTopic;

/**
 * The contract and the stack against real servers: a subclass says where they are (local processes, or
 * Testcontainers where Docker exists).
 */
abstract class StackIntegrationTests {

    protected abstract StackEndpoints endpoints();

    @Test
    void everyEventTypeRoundTripsThroughTheBrokerWithTheApicurioSerde() throws Exception {
        List<SpecificRecord> sent = new ArrayList<>();
        List<RecordMetadata> written = new ArrayList<>();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(producerConfig())) {
            for (var entry : SampleEvents.byTopic().entrySet()) {
                for (Supplier<SpecificRecord> event : entry.getValue()) {
                    SpecificRecord record = event.get();
                    sent.add(record);
                    written.add(producer.send(new ProducerRecord<>(entry.getKey().topicName(), "k-" + UUID.randomUUID(), record)).get());
                }
            }
        }
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(consumerConfig(AvroKafkaDeserializer.class))) {
            for (int i = 0; i < sent.size(); i++) {
                Object received = readAt(consumer, written.get(i)).value();
                assertEquals(sent.get(i), received, "round trip of " + sent.get(i).getSchema().getName());
            }
        }
    }

    @Test
    void aRecordDecodesWithPlainAvroAndTheSchemaFromTheConfluentCompatibleApi() throws Exception {
        PreferencePair pair = SampleEvents.preferencePair();
        RecordMetadata meta;
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(producerConfig())) {
            meta = producer.send(new ProducerRecord<>(SpinTopic.PAIRS.topicName(), "raw-" + UUID.randomUUID(), pair)).get();
        }
        byte[] bytes;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig(ByteArrayDeserializer.class))) {
            bytes = readAt(consumer, meta).value();
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        assertEquals(0, buffer.get(), "magic byte");
        int schemaId = buffer.getInt();
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                URI.create(endpoints().registryCcompat() + "/schemas/ids/" + schemaId)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        Schema writer = new Schema.Parser().parse(new ObjectMapper().readTree(response.body()).get("schema").asText());
        GenericRecord decoded = new GenericDatumReader<GenericRecord>(writer).read(null,
                DecoderFactory.get().binaryDecoder(bytes, buffer.position(), buffer.remaining(), null));
        assertEquals(pair.getPromptId(), decoded.get("promptId").toString());
        assertEquals(pair.getChosen(), decoded.get("chosen").toString());
        assertEquals(pair.getRejected(), decoded.get("rejected").toString());
        assertEquals(pair.getRejectedLogProb(), (Double) decoded.get("rejectedLogProb"));
        assertEquals(pair.getSimilarity(), (Double) decoded.get("similarity"));
    }

    @Test
    void theCompatibilityRuleAcceptsAnOptionalFieldAndRefusesRemovingOrAddingARequiredOne() throws Exception {
        RegistrySchemas registry = endpoints().registrySchemas();
        registry.registerAll();
        String artifact = "compat-" + UUID.randomUUID();
        ObjectMapper json = new ObjectMapper();
        JsonNode original = json.readTree(PreferencePair.getClassSchema().toString());
        assertTrue(registry.register(artifact, original.toString()).statusCode() < 300);
        registry.setCompatibility(artifact, RegistrySchemas.COMPATIBILITY);

        var withOptional = original.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) withOptional.get("fields")).add(json.readTree(
                "{\"name\":\"judgeScore\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"new optional\"}"));
        assertEquals(200, registry.addVersion(artifact, withOptional.toString()).statusCode(), "optional field accepted");

        var withoutRequired = withOptional.deepCopy();
        var fields = (com.fasterxml.jackson.databind.node.ArrayNode) withoutRequired.get("fields");
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).get("name").asText().equals("chosen")) {
                fields.remove(i);
                break;
            }
        }
        HttpResponse<String> refused = registry.addVersion(artifact, withoutRequired.toString());
        assertTrue(RegistrySchemas.isRuleViolation(refused), "removing the required field 'chosen' must be refused: "
                + refused.statusCode() + " " + refused.body());

        var withRequired = withOptional.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) withRequired.get("fields")).add(json.readTree(
                "{\"name\":\"judge\",\"type\":\"string\",\"doc\":\"new required\"}"));
        HttpResponse<String> refusedToo = registry.addVersion(artifact, withRequired.toString());
        assertTrue(RegistrySchemas.isRuleViolation(refusedToo), "a new required field must be refused: " + refusedToo.body());
        assertEquals(2, registry.versionCount(artifact), "only the original and the optional-field versions exist");
    }

    @Test
    void aSchemaStillEvolvesAfterOurWritersRegisteredIt() throws Exception {
        String topic = "evolve-" + UUID.randomUUID();
        String artifact = topic + "-value";
        RegistrySchemas registry = endpoints().registrySchemas();
        ObjectMapper json = new ObjectMapper();
        JsonNode original = json.readTree(io.spin.contract.ControlEvent.getClassSchema().toString());
        assertTrue(registry.register(artifact, original.toString()).statusCode() < 300); // as the deployment does
        registry.setCompatibility(artifact, RegistrySchemas.COMPATIBILITY);
        SpecificRecord event = SampleEvents.byTopic().get(SpinTopic.CONTROL).get(0).get();
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                endpoints().kafkaClientConfig())) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(
                io.spin.commons.kafka.ControlPublisher.producerConfig(endpoints().kafkaBootstrap(), endpoints().registryApiV3()))) {
            producer.send(new ProducerRecord<>(topic, "k", event)).get();
        }
        var evolved = original.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) evolved.get("fields")).add(json.readTree(
                "{\"name\":\"traceId\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"new optional\"}"));
        HttpResponse<String> added = registry.addVersion(artifact, evolved.toString());
        assertEquals(200, added.statusCode(), "an optional field is still accepted after our writers used the subject: " + added.body());
    }

    @Test
    void onlyTopicsThatMayGrowAreGrown() throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                endpoints().kafkaClientConfig())) {
            io.spin.contract.TopicAdmin.ensureTopics(admin, Map.of());
            int control = io.spin.contract.TopicAdmin.partitionCount(admin, SpinTopic.CONTROL.topicName());
            List<String> changes = io.spin.contract.TopicAdmin.ensureTopics(admin,
                    Map.of("SPIN_TOPIC_CONTROL_PARTITIONS", Integer.toString(control + 2)));
            assertEquals(control, io.spin.contract.TopicAdmin.partitionCount(admin, SpinTopic.CONTROL.topicName()),
                    "the control topic keeps its partitions: " + changes);
            assertTrue(changes.stream().anyMatch(c -> c.startsWith("kept " + SpinTopic.CONTROL.topicName())), changes.toString());
            assertEquals(-1, io.spin.contract.TopicAdmin.partitionCount(admin, "no-such-topic-" + UUID.randomUUID()));
        }
    }

    @Test
    void aTwentyMebibyteObjectRoundTripsThroughMultipartUploadWithEqualSha256() throws Exception {
        StackEndpoints e = endpoints();
        MinioClient s3 = MinioClient.builder().endpoint(e.s3Endpoint()).credentials(e.s3AccessKey(), e.s3SecretKey()).build();
        byte[] data = new byte[20 * 1024 * 1024];
        new Random(7).nextBytes(data);
        String key = "tests/" + UUID.randomUUID() + "/blob.bin";
        long partSize = 5L * 1024 * 1024; // four parts: this is a multipart upload
        s3.putObject(PutObjectArgs.builder().bucket(e.bucket()).object(key)
                .stream(new java.io.ByteArrayInputStream(data), (long) data.length, partSize).build());
        assertEquals((long) data.length, s3.statObject(StatObjectArgs.builder().bucket(e.bucket()).object(key).build()).size());
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = s3.getObject(GetObjectArgs.builder().bucket(e.bucket()).object(key).build())) {
            byte[] chunk = new byte[1 << 16];
            for (int n; (n = in.read(chunk)) > 0; ) {
                digest.update(chunk, 0, n);
            }
        }
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), digest.digest());
        s3.removeObject(RemoveObjectArgs.builder().bucket(e.bucket()).object(key).build());
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(endpoints().kafkaClientConfig());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class);
        // as every SPIN writer: a referencing version on a shared subject would block every later schema change
        config.putAll(io.spin.commons.kafka.ControlPublisher.serializerConfig(endpoints().registryApiV3()));
        return config;
    }

    private Map<String, Object> consumerConfig(Class<?> valueDeserializer) {
        Map<String, Object> config = new HashMap<>(endpoints().kafkaClientConfig());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, valueDeserializer);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put("apicurio.registry.url", endpoints().registryApiV3());
        config.put("apicurio.registry.use-specific-avro-reader", true);
        return config;
    }

    /** Reads exactly the record that was written at this partition and offset. */
    private static <V> ConsumerRecord<String, V> readAt(KafkaConsumer<String, V> consumer, RecordMetadata meta) {
        TopicPartition tp = new TopicPartition(meta.topic(), meta.partition());
        consumer.assign(List.of(tp));
        consumer.seek(tp, meta.offset());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(500)).records(tp)) {
                if (record.offset() == meta.offset()) {
                    return record;
                }
            }
        }
        throw new AssertionError("record at " + tp + "@" + meta.offset() + " not read within 30 s");
    }
}
