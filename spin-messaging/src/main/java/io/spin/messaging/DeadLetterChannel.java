package io.spin.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.spin.contract.DeadLetter;

/**
 * A service's {@code dead-letters} channel, in a bean of its own made on first use: the dead-letter strategy that
 * writes to it is made while the channels are wired, before an emitter can connect (SRMSG00019).
 */
@ApplicationScoped
public class DeadLetterChannel {
    @Inject
    @Channel("dead-letters")
    MutinyEmitter<DeadLetter> emitter;

    MutinyEmitter<DeadLetter> emitter() {
        return emitter;
    }
}
