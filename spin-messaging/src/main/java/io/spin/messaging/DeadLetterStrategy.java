package io.spin.messaging;

import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.spin.commons.SpinMeters;
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
    private static final Logger LOG = Logger.getLogger(DeadLetterStrategy.class);
    private final Supplier<MutinyEmitter<DeadLetter>> deadLetters;
    private final String consumer;

    /**
     * @param deadLetters the service's {@code dead-letters} emitter, looked up when a record fails: the strategy is made
     *                    while the channels are being wired, before an emitter can be connected
     * @param consumer    who dead-letters (a dead letter's {@code consumer}): the instance's producer id
     */
    public DeadLetterStrategy(Supplier<MutinyEmitter<DeadLetter>> deadLetters, String consumer) {
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
                DeadLetter letter = (DeadLetter) dead.value();
                return deadLetters.get().sendMessage(Message.of(letter).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                .withKey(dead.key()).build()))
                        .invoke(() -> {
                            LOG.warnf("dead-lettered %s-%d@%d: %s", record.getTopic(), record.getPartition(), record.getOffset(), letter.getError());
                            SpinMeters.DEAD_LETTERS.increment(1, record.getTopic());
                        })
                        .chain(() -> Uni.createFrom().completionStage(record.ack()));
            }
        };
    }
}
