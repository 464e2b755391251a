package io.spin.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.spin.commons.kafka.RegistryOutage;
import io.spin.contract.SpinTopic;

/**
 * How a SmallRye channel decodes the contract's Avro values ({@code value-deserialization-failure-handler}). A value that
 * does not decode, or decodes to another type than its topic holds, becomes a message with no payload whose headers
 * say why (SmallRye's deserialization-failure headers, the raw bytes included), for the channel's method to nack to
 * the dead-letter strategy ({@link #nackIfUndecodable}). While the schema registry cannot be reached, decoding waits
 * for it (up to {@link #PATIENCE}) instead: every record would look bad meanwhile, and dead-lettering good records
 * would lose them. Made by {@link ChannelFailures} under the identifier channels name.
 */
public class ContractDeserialization implements DeserializationFailureHandler<Object> {
    /** Less than the consumer's max.poll.interval.ms (5 minutes), so the consumer keeps its partitions while it waits. */
    static final Duration PATIENCE = Duration.ofMinutes(4);

    @Override
    public Object decorateDeserialization(Uni<Object> deserialization, String topic, boolean isKey, String deserializer, byte[] data,
                                          Headers headers) {
        try {
            Object value = RegistryOutage.await(() -> deserialization.await().indefinitely(), PATIENCE);
            expectTopicType(topic, value);
            return value;
        } catch (RuntimeException e) {
            if (RegistryOutage.isOutage(e)) {
                throw e; // not bad data: the channel fails (and its health says so) rather than dead-letter good records
            }
            DeserializationFailureHandler.addFailureDetailsToHeaders(deserializer, topic, isKey, headers, data, e);
            return null;
        }
    }

    /** A value of another record type than the topic's, as a writer that got the topic wrong would leave it. */
    static void expectTopicType(String topic, Object value) {
        if (value instanceof org.apache.avro.generic.GenericContainer record) {
            Arrays.stream(SpinTopic.values()).filter(t -> t.topicName().equals(topic)).findFirst().ifPresent(t -> {
                if (!t.valueSchema().getFullName().equals(record.getSchema().getFullName())) {
                    throw new IllegalArgumentException("expected a " + t.valueSchema().getName() + " on " + topic + ", got a "
                            + record.getSchema().getName());
                }
            });
        }
    }

    /**
     * Nacks a message whose value did not decode (to the channel's failure strategy, the dead-letter topic), with the
     * decoding error as the reason; acks any other. For a channel that only checks what it reads (an audit).
     */
    public static CompletionStage<Void> nackIfUndecodable(Message<?> message) {
        return failure(message).map(message::nack).orElseGet(message::ack);
    }

    /** The decoding error of a message that came with SmallRye's deserialization-failure headers. */
    public static Optional<RuntimeException> failure(Message<?> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getHeaders)
                .flatMap(ContractDeserialization::failure);
    }

    static Optional<RuntimeException> failure(Headers headers) {
        return text(headers, DESERIALIZATION_FAILURE_REASON).map(reason -> new UndecodableRecord(
                reason + text(headers, DESERIALIZATION_FAILURE_CAUSE).map(cause -> ": " + cause).orElse("")));
    }

    /** The raw bytes of the value that did not decode, when the headers carry them. */
    public static Optional<byte[]> rawValue(Headers headers) {
        return Optional.ofNullable(headers.lastHeader(DESERIALIZATION_FAILURE_DATA)).map(Header::value);
    }

    private static Optional<String> text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? Optional.empty() : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    /** A record whose value is not what its topic holds. */
    public static final class UndecodableRecord extends RuntimeException {
        UndecodableRecord(String message) {
            super(message);
        }
    }
}
