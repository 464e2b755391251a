package io.spin.commons.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;

/**
 * Decodes raw record values (Apicurio Avro) into one expected type. A record that does not decode to that type goes
 * to the dead-letter topic with its partition, offset and reason, and the caller simply moves on to the next record.
 */
public final class RecordDecoder<T> implements AutoCloseable {
    private final Class<T> type;
    private final AvroKafkaDeserializer<Object> values = new AvroKafkaDeserializer<>();
    private final DeadLetters deadLetters;

    public RecordDecoder(String bootstrap, String registryUrl, String consumer, Class<T> type) {
        this.type = type;
        values.configure(Map.of("apicurio.registry.url", registryUrl, "apicurio.registry.use-specific-avro-reader", true), false);
        this.deadLetters = new DeadLetters(bootstrap, registryUrl, consumer);
    }

    /**
     * The decoded value, or empty once the record has been dead-lettered. While the registry cannot be reached the
     * call waits for it (up to 10 minutes), since every record would look undecodable meanwhile.
     */
    public Optional<T> decode(ConsumerRecord<String, byte[]> r) {
        try {
            Object value = RegistryOutage.await(() -> values.deserialize(r.topic(), r.headers(), r.value()), Duration.ofMinutes(10));
            if (!type.isInstance(value)) {
                throw new IllegalArgumentException("expected a " + type.getSimpleName() + ", got "
                        + (value == null ? "an empty record" : value.getClass().getSimpleName()));
            }
            return Optional.of(type.cast(value));
        } catch (RuntimeException e) {
            if (RegistryOutage.isOutage(e)) {
                throw new IllegalStateException("the schema registry is unreachable; " + r.topic() + "-" + r.partition() + "@" + r.offset()
                        + " is not dead-lettered", e);
            }
            reject(r, e);
            return Optional.empty();
        }
    }

    /** Sends a record that decoded but could not be processed to the dead-letter topic, with the reason. */
    public void reject(ConsumerRecord<String, byte[]> r, Throwable reason) {
        deadLetters.publish(r.topic(), r.partition(), r.offset(), r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                r.value(), reason);
    }

    @Override
    public void close() {
        deadLetters.close();
        values.close();
    }
}
