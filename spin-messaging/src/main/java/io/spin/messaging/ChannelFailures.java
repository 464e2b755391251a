package io.spin.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.spin.commons.ControlEvents;

/**
 * The identifiers an incoming channel names to decode the contract and dead-letter what it cannot use:
 * {@code value-deserialization-failure-handler=spin-contract} and {@code failure-strategy=spin-dead-letters}.
 */
@ApplicationScoped
public class ChannelFailures {
    @Inject
    DeadLetterChannel deadLetters;
    @Inject
    ControlEvents events;

    @Produces
    @Identifier("spin-contract")
    DeserializationFailureHandler<Object> contractDeserialization() {
        return new ContractDeserialization();
    }

    @Produces
    @Identifier("spin-dead-letters")
    KafkaFailureHandler.Factory deadLetterStrategy() {
        return new DeadLetterStrategy(deadLetters, events.producerId());
    }
}
