package io.spin.pairbuilder;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import io.spin.commons.ControlEvents;
import io.spin.contract.ControlEvent;
import io.spin.contract.GeneratedSample;
import io.spin.contract.HumanResponse;
import io.spin.contract.IterationStarted;
import io.spin.contract.PairsCompleted;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunFailed;
import io.spin.contract.PreferencePair;
import io.spin.contract.ServicePrincipal;
import io.spin.contract.SpinTopic;

/**
 * samples --PairingProcessor (dedupe; join the global human-responses table)--> pairs topic
 *   pairs, re-keyed by runId into as many partitions as the control topic --+
 *   control topic: IterationStarted, PairsCompleted, run endings -----------+--> CompletionProcessor --> pair builder's reports
 *                                                                                 (progress; iteration final)
 * Keying both by runId over equal partition counts puts all of a run's pairs and its control events in one task.
 * {@link SnapshotWriter}, outside the topology, writes final iterations' snapshots and reports PairsCompleted, which the
 * orchestrator appends to the control log (the only writer there); the topology sees it come back on the control topic.
 */
public final class PairTopology {
    static final String HUMAN_STORE = "human-responses-table";
    static final String SEEN_STORE = "paired-sample-keys";
    static final String PENDING_STORE = "samples-awaiting-human-response";
    static final String PROGRESS_STORE = "iteration-progress";
    static final String ITERATION_PAIRS_STORE = "iteration-pairs";
    /** Name of the repartition step; its topic is {@code <application.id>-pairs-by-run-repartition}. */
    static final String PAIRS_BY_RUN = "pairs-by-run";

    /** The serdes of the three value types; Apicurio's in production, plain Avro binary in topology tests. */
    public record AvroSerdes(Serde<GeneratedSample> samples, Serde<HumanResponse> humans, Serde<PreferencePair> pairs,
                             Serde<ControlEvent> control) {
    }

    private PairTopology() {
    }

    public static Topology build(AvroSerdes serdes, int controlPartitions, ControlEvents events) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<String> strings = Serdes.String();
        // Undecodable human responses read as absent here; HumanResponseAudit dead-letters them (see there why).
        Serde<HumanResponse> humans = lenient(serdes.humans());
        builder.globalTable(SpinTopic.HUMAN_RESPONSES.topicName(), Consumed.with(strings, humans),
                Materialized.<String, HumanResponse, KeyValueStore<Bytes, byte[]>>as(HUMAN_STORE)
                        .withKeySerde(strings).withValueSerde(humans));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEEN_STORE), strings, Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE), strings, serdes.samples()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS_STORE), strings, strings));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ITERATION_PAIRS_STORE), strings, serdes.pairs()));

        KStream<String, PreferencePair> pairs = builder.stream(SpinTopic.SAMPLES.topicName(), Consumed.with(strings, serdes.samples()))
                .process(() -> new PairingProcessor(events.producerId()), SEEN_STORE, PENDING_STORE);
        pairs.to(SpinTopic.PAIRS.topicName(), Produced.with(strings, serdes.pairs()));

        KStream<String, Object> pairsByRun = pairs.selectKey((key, pair) -> pair.getRunId())
                .repartition(Repartitioned.with(strings, serdes.pairs()).withName(PAIRS_BY_RUN).withNumberOfPartitions(controlPartitions))
                .mapValues(pair -> (Object) pair);
        KStream<String, Object> control = builder.stream(SpinTopic.CONTROL.topicName(), Consumed.with(strings, serdes.control()))
                .filter((runId, event) -> event != null && (event.getPayload() instanceof IterationStarted
                        || event.getPayload() instanceof PairsCompleted || event.getPayload() instanceof RunCompleted
                        || event.getPayload() instanceof RunFailed))
                .mapValues(event -> (Object) event);
        pairsByRun.merge(control)
                .process(() -> new CompletionProcessor(events), PROGRESS_STORE, ITERATION_PAIRS_STORE)
                .to(ServicePrincipal.PAIR_BUILDER.reportTopic().topicName(), Produced.with(strings, serdes.control()));
        return builder.build();
    }

    /** The same serde, except that a value it cannot decode reads as null instead of failing. */
    static <T> Serde<T> lenient(Serde<T> serde) {
        Deserializer<T> strict = serde.deserializer();
        return Serdes.serdeFrom(serde.serializer(), new Deserializer<T>() {
            @Override
            public T deserialize(String topic, byte[] data) {
                return deserialize(topic, null, data);
            }

            @Override
            public T deserialize(String topic, Headers headers, byte[] data) {
                try {
                    return headers == null ? strict.deserialize(topic, data) : strict.deserialize(topic, headers, data);
                } catch (RuntimeException undecodable) {
                    return null;
                }
            }
        });
    }
}
