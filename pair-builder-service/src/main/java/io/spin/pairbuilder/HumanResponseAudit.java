package io.spin.pairbuilder;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.spin.messaging.ContractDeserialization;

/**
 * Dead-letters what is not a human response on the human-responses topic. The topology reads that topic as a global
 * table, and Kafka Streams loads a global table's records at start-up without passing them through the deserialization
 * handler, so a bad record there would otherwise never be reported. A channel in a group of its own: each record is
 * checked once, and the audit resumes from its committed offsets.
 */
@ApplicationScoped
public class HumanResponseAudit {
    @Incoming("human-responses-audit")
    public CompletionStage<Void> audit(Message<Object> response) {
        return ContractDeserialization.nackIfUndecodable(response);
    }
}
