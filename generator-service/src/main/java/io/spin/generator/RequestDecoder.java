package io.spin.generator;

import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.RecordDecoder;
import io.spin.contract.GenerationRequest;

/** Decodes a batch of generation requests; records that do not decode are dead-lettered and the batch goes on. */
@ApplicationScoped
public class RequestDecoder {
    @Inject
    GeneratorConfig config;
    @Inject
    ControlEvents events;

    private RecordDecoder<GenerationRequest> decoder;

    @PostConstruct
    void init() {
        decoder = new RecordDecoder<>(config.kafkaBootstrap(), config.registryApiUrl(), events.producerId(), GenerationRequest.class);
    }

    /** A decoded request with the record it came from (kept for the dead-letter topic). */
    record Request(ConsumerRecord<String, byte[]> raw, GenerationRequest value) {
        String key() {
            return raw.key();
        }
    }

    List<Request> decode(ConsumerRecords<String, byte[]> raw) {
        List<Request> decoded = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : raw) {
            decoder.decode(r).ifPresent(request -> decoded.add(new Request(r, request)));
        }
        return decoded;
    }

    /** Dead-letters a request that decoded but could not be sampled. */
    void reject(Request request, Throwable reason) {
        decoder.reject(request.raw(), reason);
    }

    @PreDestroy
    void close() {
        if (decoder != null) {
            decoder.close();
        }
    }
}
