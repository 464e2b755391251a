package io.spin.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.spin.commons.SpinMeters;
import io.spin.contract.DeadLetter;

/**
 * A service's {@code dead-letters} channel, in a bean of its own made on first use: the dead-letter strategy that
 * writes to it is made while the channels are wired, before an emitter can connect (SRMSG00019). Everything a service
 * dead-letters goes out here: what its channels' failure strategy hands over, and what its own code refuses.
 */
@ApplicationScoped
public class DeadLetterChannel {
    private static final Logger LOG = Logger.getLogger(DeadLetterChannel.class);

    @Inject
    @Channel("dead-letters")
    MutinyEmitter<DeadLetter> emitter;

    /** Sends a dead letter made by {@code DeadLetters.record} (keyed by the original key); done once the broker has it. */
    public Uni<Void> send(ProducerRecord<String, Object> dead) {
        DeadLetter letter = (DeadLetter) dead.value();
        return emitter.sendMessage(Message.of(letter).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(dead.key()).build()))
                .invoke(() -> {
                    LOG.warnf("dead-lettered %s-%d@%d: %s", letter.getSourceTopic(), letter.getPartition(), letter.getOffset(), letter.getError());
                    SpinMeters.DEAD_LETTERS.increment(1, letter.getSourceTopic());
                });
    }
}
