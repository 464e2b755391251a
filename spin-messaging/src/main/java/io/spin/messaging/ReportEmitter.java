package io.spin.messaging;

import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.spin.commons.kafka.Reports;
import io.spin.contract.ControlEvent;

/**
 * A service's reports through its {@code reports} channel (its own report topic, configured in its
 * application.properties): keyed by run id, and stored (acks=all) before {@link #publish} returns, as a checkpoint
 * must be before its local copy goes. Not a bean: only the services with the channel make one.
 */
public final class ReportEmitter implements Reports {
    private final MutinyEmitter<ControlEvent> channel;

    public ReportEmitter(MutinyEmitter<ControlEvent> channel) {
        this.channel = channel;
    }

    @Override
    public void publish(ControlEvent event) {
        try {
            channel.sendMessageAndAwait(Message.of(event).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.getRunId()).build()));
        } catch (RuntimeException e) {
            throw new IllegalStateException("could not write control event " + event.getPayload().getClass().getSimpleName()
                    + " of run " + event.getRunId() + " to this service's report topic: " + e.getMessage(), e);
        }
    }
}
