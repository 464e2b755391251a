package io.spin.pairbuilder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.TopicAudit;
import io.spin.contract.HumanResponse;
import io.spin.contract.SpinTopic;

/**
 * Dead-letters undecodable records of the human-responses topic. The topology reads that topic as a global table,
 * and Kafka Streams loads a global table's records at start-up without passing them through the deserialization
 * handler, so a bad record there would otherwise never be reported.
 */
@ApplicationScoped
public class HumanResponseAudit {
    @Inject
    PairBuilderConfig config;

    private TopicAudit<HumanResponse> audit;

    void start(@Observes StartupEvent ignored, ControlEvents events) {
        audit = new TopicAudit<>(config.kafkaBootstrap(), config.registryApiUrl(), events.producerId(), SpinTopic.HUMAN_RESPONSES,
                HumanResponse.class, config.pairBuilder().auditGroup()).start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (audit != null) {
            audit.close();
        }
    }
}
