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
import io.spin.commons.kafka.DeadLetters;
import io.spin.commons.kafka.RecordDecoder;
import io.spin.messaging.DeadLetterChannel;
import io.spin.contract.GenerationRequest;

/**
 * Decodes a batch of generation requests (the channel takes raw bytes, so a dead letter keeps a request as it was);
 * records that do not decode, and requests that cannot be sampled, go out on the {@code dead-letters} channel before
 * the batch is acknowledged, and the batch goes on.
 */
@ApplicationScoped
public class RequestDecoder {
    @Inject
    GeneratorConfig config;
    @Inject
    ControlEvents events;
    @Inject
    DeadLetterChannel deadLetters;

    private RecordDecoder<GenerationRequest> decoder;

    @PostConstruct
    void init() {
        decoder = new RecordDecoder<>(config.registryApiUrl(), GenerationRequest.class, this::deadLetter);
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
        deadLetter(request.raw(), reason);
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, Throwable reason) {
        deadLetters.send(DeadLetters.record(record, reason, events.producerId())).await().indefinitely();
    }

    @PreDestroy
    void close() {
        if (decoder != null) {
            decoder.close();
        }
    }
}
