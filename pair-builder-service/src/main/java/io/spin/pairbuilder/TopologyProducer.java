package io.spin.pairbuilder;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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

    @Inject
    PairBuilderConfig config;
    @ConfigProperty(name = "quarkus.kafka-streams.application-id")
    String applicationId;

    @Produces
    Topology topology(ControlEvents events) throws Exception {
        PairTopology.AvroSerdes serdes = new PairTopology.AvroSerdes(serde(), serde(), serde(), serde());
        return PairTopology.build(serdes, CoPartitioning.controlPartitions(config.kafkaBootstrap(), applicationId), events);
    }

    private <T> Serde<T> serde() {
        @SuppressWarnings("unchecked")
        Serde<T> serde = (Serde<T>) new AvroSerde<>();
        Map<String, Object> serdeConfig = new java.util.HashMap<>(ControlPublisher.serializerConfig(config.registryApiUrl()));
        serdeConfig.put("apicurio.registry.use-specific-avro-reader", true);
        serde.configure(serdeConfig, false);
        return serde;
    }
}
