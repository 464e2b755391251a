package io.spin.messaging;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

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
                DeadLetter letter = letter(record, reason);
                return deadLetters.get().sendMessage(Message.of(letter).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                                .withKey(key(record.getKey())).build()))
                        .invoke(() -> {
                            LOG.warnf("dead-lettered %s-%d@%d: %s", record.getTopic(), record.getPartition(), record.getOffset(), letter.getError());
                            SpinMeters.DEAD_LETTERS.increment(1, record.getTopic());
                        })
                        .chain(() -> Uni.createFrom().completionStage(record.ack()));
            }
        };
    }

    DeadLetter letter(IncomingKafkaRecord<?, ?> record, Throwable reason) {
        Object key = record.getKey();
        byte[] keyBytes = key == null ? null : key.toString().getBytes(StandardCharsets.UTF_8);
        byte[] value = ContractDeserialization.rawValue(record.getHeaders()).orElse(null);
        return DeadLetters.letter(record.getTopic(), record.getPartition(), record.getOffset(), keyBytes, value, reason, consumer);
    }

    /** The dead letter's key: the original key, cut as every dead letter's is. */
    private static String key(Object key) {
        return key == null ? null : new String(DeadLetters.recordKey(key.toString().getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }
}
