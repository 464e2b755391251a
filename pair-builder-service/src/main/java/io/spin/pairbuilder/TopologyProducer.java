package io.spin.pairbuilder;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.apicurio.registry.serde.avro.AvroSerde;
import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.ControlPublisher;

/** The topology with Apicurio serdes. */
@ApplicationScoped
public class TopologyProducer {

    @ConfigProperty(name = "spin.registry-api-url")
    String registryUrl;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "quarkus.kafka-streams.application-id")
    String applicationId;

    @Produces
    Topology topology(ControlEvents events) throws Exception {
        PairTopology.AvroSerdes serdes = new PairTopology.AvroSerdes(serde(), serde(), serde(), serde());
        return PairTopology.build(serdes, CoPartitioning.controlPartitions(bootstrap, applicationId), events);
    }

    private <T> Serde<T> serde() {
        @SuppressWarnings("unchecked")
        Serde<T> serde = (Serde<T>) new AvroSerde<>();
        Map<String, Object> config = new java.util.HashMap<>(ControlPublisher.serializerConfig(registryUrl));
        config.put("apicurio.registry.use-specific-avro-reader", true);
        serde.configure(config, false);
        return serde;
    }
}
