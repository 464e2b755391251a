package io.spin.pairbuilder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

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
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "spin.registry-api-url")
    String registryUrl;
    @ConfigProperty(name = "spin.pair-builder.audit-group", defaultValue = "spin-pair-builder-human-responses-audit")
    String groupId;

    private TopicAudit<HumanResponse> audit;

    void start(@Observes StartupEvent ignored, ControlEvents events) {
        audit = new TopicAudit<>(bootstrap, registryUrl, events.producerId(), SpinTopic.HUMAN_RESPONSES, HumanResponse.class, groupId).start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (audit != null) {
            audit.close();
        }
    }
}
