package io.spin.commons.kafka;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.spin.contract.DeadLetter;
import io.spin.contract.SpinTopic;

/**
 * Sends a record a consumer cannot decode or process to the dead-letter topic, with its original bytes, where it
 * came from and why, keyed by its original key. Nothing bad is dropped silently, and the consumer goes on.
 */
public final class DeadLetters implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class.getName());
    private final KafkaProducer<byte[], Object> producer;
    private final String consumer;

    public DeadLetters(String bootstrap, String registryUrl, String consumer) {
        Map<String, Object> config = new HashMap<>(ControlPublisher.producerConfig(bootstrap, registryUrl));
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(config);
        this.consumer = consumer;
    }

    public void publish(String topic, int partition, long offset, byte[] key, byte[] value, Throwable error) {
        DeadLetter letter = DeadLetter.newBuilder().setSourceTopic(topic).setPartition(partition).setOffset(offset)
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key)).setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setError(String.valueOf(rootMessage(error))).setErrorClass(error.getClass().getName()).setConsumer(consumer)
                .setFailedAt(Instant.now()).build();
        try {
            producer.send(new ProducerRecord<>(SpinTopic.DEAD_LETTERS.topicName(), key, letter)).get(30, TimeUnit.SECONDS);
            LOG.warning("dead-lettered " + topic + "-" + partition + "@" + offset + ": " + letter.getError());
            io.spin.commons.SpinMeters.DEAD_LETTERS.increment(1, topic);
        } catch (Exception e) {
            throw new IllegalStateException("could not dead-letter " + topic + "-" + partition + "@" + offset, e);
        }
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
