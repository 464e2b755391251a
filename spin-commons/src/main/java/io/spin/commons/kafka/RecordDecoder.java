package io.spin.commons.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;

/**
 * Decodes raw record values (Apicurio Avro) into one expected type. A record that does not decode to that type is
 * handed to the caller's rejecter (the dead-letter topic) with the reason, and the caller simply moves on to the next
 * record. For a channel that takes raw bytes, so a dead letter keeps the record as it was.
 */
public final class RecordDecoder<T> implements AutoCloseable {
    private final Class<T> type;
    private final AvroKafkaDeserializer<Object> values = new AvroKafkaDeserializer<>();
    private final BiConsumer<ConsumerRecord<String, byte[]>, Throwable> reject;

    /** @param reject what is done with a record that does not decode (it returns once the record is safe elsewhere) */
    public RecordDecoder(String registryUrl, Class<T> type, BiConsumer<ConsumerRecord<String, byte[]>, Throwable> reject) {
        this.type = type;
        values.configure(Map.of("apicurio.registry.url", registryUrl, "apicurio.registry.use-specific-avro-reader", true), false);
        this.reject = reject;
    }

    /**
     * The decoded value, or empty once the record has been rejected. While the registry cannot be reached the
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
            reject.accept(r, e);
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        values.close();
    }
}
