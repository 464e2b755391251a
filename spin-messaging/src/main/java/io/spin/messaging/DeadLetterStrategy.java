package io.spin.messaging;

import java.util.function.BiConsumer;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.spin.commons.kafka.DeadLetters;
import io.spin.contract.DeadLetter;
import io.vertx.mutiny.core.Vertx;

/**
 * A SmallRye failure strategy ({@code failure-strategy=<its identifier>}) that writes a nacked record to the
 * contract's dead-letter topic as a typed {@link DeadLetter} (source topic, partition, offset, the original bytes when
 * the value did not decode, the reason, this consumer), through the {@code dead-letters} channel, and then acks the
 * record, so the channel goes on and its committed offset passes it. SmallRye's own dead-letter-queue strategy would
 * copy the record with headers instead, which the contract's readers cannot decode. Made by {@link ChannelFailures}.
 */
public class DeadLetterStrategy implements KafkaFailureHandler.Factory {
    private final DeadLetterChannel deadLetters;
    private final String consumer;

    /**
     * @param deadLetters the service's {@code dead-letters} channel (its client proxy: the bean is made when a record
     *                    first fails, since the strategy is made while the channels are wired, before an emitter can connect)
     * @param consumer    who dead-letters (a dead letter's {@code consumer}): the instance's producer id
     */
    public DeadLetterStrategy(DeadLetterChannel deadLetters, String consumer) {
        this.deadLetters = deadLetters;
        this.consumer = consumer;
    }

    @Override
    public KafkaFailureHandler create(KafkaConnectorIncomingConfiguration config, Vertx vertx, KafkaConsumer<?, ?> kafka,
                                      BiConsumer<Throwable, Boolean> reportFailure) {
        return new KafkaFailureHandler() {
            @Override
            public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
                ProducerRecord<String, Object> dead = DeadLetters.record(record.getTopic(), record.getPartition(), record.getOffset(),
                        record.getKey() == null ? null : record.getKey().toString(),
                        ContractDeserialization.rawValue(record.getHeaders()).orElse(null), reason, consumer);
                return deadLetters.send(dead)
                        .chain(() -> Uni.createFrom().completionStage(record.ack()));
            }
        };
    }
}
