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
import io.spin.data.Sha256;
import io.spin.storage.ObjectStorage;
import io.spin.contract.ObjectRef;

/** The topology with Apicurio serdes, and snapshots written to runs/&lt;run&gt;/iter-&lt;t&gt;/pairs.jsonl. */
@ApplicationScoped
public class TopologyProducer {

    @ConfigProperty(name = "spin.registry-url")
    String registryUrl;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "quarkus.kafka-streams.application-id")
    String applicationId;

    @Produces
    Topology topology(ObjectStorage storage, ControlEvents events) throws Exception {
        PairTopology.AvroSerdes serdes = new PairTopology.AvroSerdes(serde(), serde(), serde(), serde());
        SnapshotSink sink = (runId, iteration, jsonl) -> {
            String key = "runs/" + runId + "/iter-" + iteration + "/pairs.jsonl";
            storage.putBytes(key, jsonl, "application/x-ndjson");
            return ObjectRef.newBuilder().setUri(storage.uri(key)).setSha256(Sha256.of(jsonl)).setBytes(jsonl.length).build();
        };
        return PairTopology.build(serdes, CoPartitioning.controlPartitions(bootstrap, applicationId), events, sink);
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
