package io.spin.generator;

import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.RecordDecoder;
import io.spin.contract.GenerationRequest;

/** Decodes a batch of generation requests; records that do not decode are dead-lettered and the batch goes on. */
@ApplicationScoped
public class RequestDecoder {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "spin.registry-url")
    String registryUrl;
    @Inject
    ControlEvents events;

    private RecordDecoder<GenerationRequest> decoder;

    @PostConstruct
    void init() {
        decoder = new RecordDecoder<>(bootstrap, registryUrl, events.producerId(), GenerationRequest.class);
    }

    List<ConsumerRecord<String, GenerationRequest>> decode(ConsumerRecords<String, byte[]> raw) {
        List<ConsumerRecord<String, GenerationRequest>> decoded = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : raw) {
            decoder.decode(r).ifPresent(request -> decoded.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), request)));
        }
        return decoded;
    }

    @PreDestroy
    void close() {
        if (decoder != null) {
            decoder.close();
        }
    }
}
