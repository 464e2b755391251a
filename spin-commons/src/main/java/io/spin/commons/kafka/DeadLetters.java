package io.spin.commons.kafka;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.spin.contract.DeadLetter;
import io.spin.contract.Limits;
import io.spin.contract.SpinTopic;

/**
 * Sends a record a consumer cannot decode or process to the dead-letter topic, with its original bytes, where it
 * came from and why, keyed by its original key. Nothing bad is dropped silently, and the consumer goes on.
 */
public final class DeadLetters implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    private final KafkaProducer<byte[], Object> producer;
    private final String consumer;

    public DeadLetters(String bootstrap, String registryUrl, String consumer) {
        Map<String, Object> config = new HashMap<>(ControlPublisher.producerConfig(bootstrap, registryUrl));
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(config);
        this.consumer = consumer;
    }

    public void publish(String topic, int partition, long offset, byte[] key, byte[] value, Throwable error) {
        DeadLetter letter = letter(topic, partition, offset, key, value, error, consumer);
        byte[] recordKey = recordKey(key);
        try {
            producer.send(new ProducerRecord<>(SpinTopic.DEAD_LETTERS.topicName(), recordKey, letter)).get(30, TimeUnit.SECONDS);
            LOG.warnf("dead-lettered %s-%d@%d: %s", topic, partition, offset, letter.getError());
            io.spin.commons.SpinMeters.DEAD_LETTERS.increment(1, topic);
        } catch (Exception e) {
            throw new IllegalStateException("could not dead-letter " + topic + "-" + partition + "@" + offset, e);
        }
    }

    /**
     * The dead letter of a consumed record, for a caller that writes it in a transaction of its own (with its offsets);
     * keyed by the original key, as {@link #publish} keys it.
     */
    public static ProducerRecord<String, Object> record(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r,
                                                        Throwable error, String consumer) {
        return record(r.topic(), r.partition(), r.offset(), r.key(), r.value(), error, consumer);
    }

    /** The dead letter of a record known by where it was, its String key and its raw value (null when not at hand). */
    public static ProducerRecord<String, Object> record(String topic, int partition, long offset, String key, byte[] value,
                                                        Throwable error, String consumer) {
        byte[] keyBytes = key == null ? null : key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new ProducerRecord<>(SpinTopic.DEAD_LETTERS.topicName(),
                keyBytes == null ? null : new String(recordKey(keyBytes), java.nio.charset.StandardCharsets.UTF_8),
                letter(topic, partition, offset, keyBytes, value, error, consumer));
    }

    /** A dead letter's own key: the original key, cut to what a dead letter keeps of it. */
    private static byte[] recordKey(byte[] key) {
        return key == null ? null : java.util.Arrays.copyOf(key, Math.min(key.length, Limits.DEAD_LETTER_ORIGINAL_BYTES));
    }

    /**
     * The dead letter of a record: its key and value cut to {@link Limits#DEAD_LETTER_ORIGINAL_BYTES} (with their full
     * lengths recorded) and the error to {@link #ERROR_CHARS}, so it fits its topic whatever the record was.
     */
    static DeadLetter letter(String topic, int partition, long offset, byte[] key, byte[] value, Throwable error, String consumer) {
        String message = String.valueOf(rootMessage(error));
        return DeadLetter.newBuilder().setSourceTopic(topic).setPartition(partition).setOffset(offset)
                .setOriginalKey(cut(key)).setOriginalKeyBytes(cutFrom(key))
                .setOriginalValue(cut(value)).setOriginalValueBytes(cutFrom(value))
                .setError(message.length() > ERROR_CHARS ? message.substring(0, ERROR_CHARS) + "..." : message)
                .setErrorClass(error.getClass().getName()).setConsumer(consumer).setFailedAt(Instant.now()).build();
    }

    /** The longest error message a dead letter keeps. */
    static final int ERROR_CHARS = 16_384;

    private static ByteBuffer cut(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, Limits.DEAD_LETTER_ORIGINAL_BYTES)).slice();
    }

    private static Long cutFrom(byte[] bytes) {
        return bytes == null || bytes.length <= Limits.DEAD_LETTER_ORIGINAL_BYTES ? null : (long) bytes.length;
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        StringBuilder message = new StringBuilder(String.valueOf(error.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            message.append(": ").append(t.getMessage());
        }
        return message.toString();
    }

    @Override
    public void close() {
        producer.close();
    }
}
