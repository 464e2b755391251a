package io.spin.trainer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.spin.commons.kafka.Reports;
import io.spin.contract.ControlEvent;
import io.spin.messaging.ReportEmitter;

/**
 * The trainer's report topic (checkpoints, progress, failures), which the orchestrator appends to the control log.
 * A bean of its own, made on first use: {@link TrainerService} starts before the channels are wired, and the first
 * report comes only once the control log is replayed.
 */
@ApplicationScoped
public class ReportChannel implements Reports {
    @Inject
    @Channel("reports")
    MutinyEmitter<ControlEvent> channel;

    @Override
    public void publish(ControlEvent event) {
        new ReportEmitter(channel).publish(event);
    }
}
