package io.spin.trainer;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.spin.messaging.ContractDeserialization;

/**
 * The trainer reads pairs through their snapshots, never from the pairs topic; this channel still reads that topic in a
 * group of its own, so a record there that is not a pair is dead-lettered once (the channel's failure strategy,
 * spin-messaging's DeadLetterStrategy) and the audit resumes from its committed offsets after a restart.
 */
@ApplicationScoped
public class PairsAudit {
    @Incoming("pairs-audit")
    public CompletionStage<Void> audit(Message<Object> pair) {
        return ContractDeserialization.nackIfUndecodable(pair);
    }
}
