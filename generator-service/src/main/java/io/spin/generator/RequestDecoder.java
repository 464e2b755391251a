package io.spin.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.DeadLetters;
import io.spin.contract.GenerationRequest;

/**
 * Decodes generation requests from their raw bytes (Apicurio Avro). A record that does not decode to a
 * GenerationRequest goes to the dead-letter topic with its partition, offset and reason; the batch goes on.
 */
@ApplicationScoped
public class RequestDecoder {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "spin.registry-url")
    String registryUrl;
    @Inject
    ControlEvents events;

    private AvroKafkaDeserializer<Object> values;
    private DeadLetters deadLetters;

    @PostConstruct
    void init() {
        values = new AvroKafkaDeserializer<>();
        values.configure(Map.of("apicurio.registry.url", registryUrl, "apicurio.registry.use-specific-avro-reader", true), false);
        deadLetters = new DeadLetters(bootstrap, registryUrl, events.producerId());
    }

    List<ConsumerRecord<String, GenerationRequest>> decode(ConsumerRecords<String, byte[]> raw) {
        List<ConsumerRecord<String, GenerationRequest>> decoded = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : raw) {
            try {
                Object value = values.deserialize(r.topic(), r.headers(), r.value());
                if (!(value instanceof GenerationRequest request)) {
                    throw new IllegalArgumentException("expected a GenerationRequest, got "
                            + (value == null ? "an empty record" : value.getClass().getSimpleName()));
                }
                decoded.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), request));
            } catch (RuntimeException e) {
                deadLetters.publish(r.topic(), r.partition(), r.offset(), r.key() == null ? null : r.key().getBytes(
                        java.nio.charset.StandardCharsets.UTF_8), r.value(), e);
            }
        }
        return decoded;
    }

    @PreDestroy
    void close() {
        if (deadLetters != null) {
            deadLetters.close();
        }
        if (values != null) {
            values.close();
        }
    }
}
