package io.spin.testresource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.commons.kafka.TopicReader;
import io.spin.commons.stack.StackEndpoints;
import io.spin.contract.CancelRequested;
import io.spin.contract.DeadLetter;
import io.spin.contract.KafkaCredentials;
import io.spin.contract.SpinTopic;

/**
 * Writes what a topic's readers must dead-letter, and finds the dead letters that name those records: bytes that are
 * not Avro, and a well-formed event of another type (a control event, encoded as the control topic holds it).
 */
public final class BadRecords {
    private final StackEndpoints stack;

    public BadRecords(StackEndpoints stack) {
        this.stack = stack;
    }

    /** Writes garbage under {@code key + "-garbage"} and a control event under {@code key + "-control"}. */
    public Map<String, RecordMetadata> write(SpinTopic topic, String key, byte[] garbage) throws Exception {
        Map<String, RecordMetadata> written = new HashMap<>();
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(KafkaCredentials.secured(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(), ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class)));
             AvroKafkaSerializer<Object> serializer = new AvroKafkaSerializer<>()) {
            written.put("garbage", raw.send(new ProducerRecord<>(topic.topicName(), key + "-garbage", garbage)).get());
            serializer.configure(ControlPublisher.serializerConfig(stack.registryApiV3()), false);
            RecordHeaders headers = new RecordHeaders();
            byte[] control = serializer.serialize(SpinTopic.CONTROL.topicName(), headers,
                    new ControlEvents("test").of(key, CancelRequested.newBuilder().build()));
            written.put("control", raw.send(new ProducerRecord<>(topic.topicName(), null, key + "-control", control, headers)).get());
        }
        return written;
    }

    /** The dead letters, by the name of the record they name, seen within a minute of waiting for {@code expected} of them. */
    public Letters await(SpinTopic topic, Map<String, RecordMetadata> written, int expected) throws InterruptedException {
        TopicReader reader = new TopicReader(stack.kafkaClientConfig(), stack.registryApiV3());
        Letters letters = new Letters(new HashMap<>(), new HashMap<>());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (letters.byName().size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(500);
            letters.byName().clear();
            letters.counts().clear();
            reader.<Object>readAll(SpinTopic.DEAD_LETTERS.topicName(), r -> {
                if (r.value() instanceof DeadLetter d && d.getSourceTopic().equals(topic.topicName())) {
                    written.forEach((name, at) -> {
                        if (at.partition() == d.getPartition() && at.offset() == d.getOffset()) {
                            letters.byName().put(name, d);
                            letters.counts().merge(name, 1, Integer::sum);
                        }
                    });
                }
            });
        }
        return letters;
    }

    /** The dead letters found, and how many name each record. */
    public record Letters(Map<String, DeadLetter> byName, Map<String, Integer> counts) {
    }

    public static byte[] bytes(java.nio.ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    public static String text(java.nio.ByteBuffer buffer) {
        return new String(bytes(buffer), StandardCharsets.UTF_8);
    }
}
