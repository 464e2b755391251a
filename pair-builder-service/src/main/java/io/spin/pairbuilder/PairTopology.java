package io.spin.pairbuilder;

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
import io.spin.contract.PreferencePair;
import io.spin.contract.SpinTopic;

/**
 * samples --PairingProcessor (dedupe; join the global human-responses table)--> pairs topic
 *   pairs, re-keyed by runId into as many partitions as the control topic --+
 *   control topic, IterationStarted only -----------------------------------+--> CompletionProcessor --> control topic
 * Keying both by runId over equal partition counts puts all of a run's pairs and its IterationStarted in one task.
 */
public final class PairTopology {
    static final String HUMAN_STORE = "human-responses-table";
    static final String SEEN_STORE = "paired-sample-keys";
    static final String PENDING_STORE = "samples-awaiting-human-response";
    static final String PROGRESS_STORE = "iteration-progress";
    static final String ITERATION_PAIRS_STORE = "iteration-pairs";

    /** The serdes of the three value types; Apicurio's in production, plain Avro binary in topology tests. */
    public record AvroSerdes(Serde<GeneratedSample> samples, Serde<HumanResponse> humans, Serde<PreferencePair> pairs,
                             Serde<ControlEvent> control) {
    }

    private PairTopology() {
    }

    public static Topology build(AvroSerdes serdes, int controlPartitions, ControlEvents events, SnapshotSink sink) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<String> strings = Serdes.String();
        builder.globalTable(SpinTopic.HUMAN_RESPONSES.topicName(), Consumed.with(strings, serdes.humans()),
                Materialized.<String, HumanResponse, KeyValueStore<Bytes, byte[]>>as(HUMAN_STORE)
                        .withKeySerde(strings).withValueSerde(serdes.humans()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEEN_STORE), strings, Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE), strings, serdes.samples()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS_STORE), strings, strings));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ITERATION_PAIRS_STORE), strings, serdes.pairs()));

        KStream<String, PreferencePair> pairs = builder.stream(SpinTopic.SAMPLES.topicName(), Consumed.with(strings, serdes.samples()))
                .process(() -> new PairingProcessor(events.producerId()), SEEN_STORE, PENDING_STORE);
        pairs.to(SpinTopic.PAIRS.topicName(), Produced.with(strings, serdes.pairs()));

        KStream<String, Object> pairsByRun = pairs.selectKey((key, pair) -> pair.getRunId())
                .repartition(Repartitioned.with(strings, serdes.pairs()).withName("pairs-by-run").withNumberOfPartitions(controlPartitions))
                .mapValues(pair -> (Object) pair);
        KStream<String, Object> iterationsStarted = builder.stream(SpinTopic.CONTROL.topicName(), Consumed.with(strings, serdes.control()))
                .filter((runId, event) -> event != null && event.getPayload() instanceof IterationStarted)
                .mapValues(event -> (Object) event);
        pairsByRun.merge(iterationsStarted)
                .process(() -> new CompletionProcessor(events, sink), PROGRESS_STORE, ITERATION_PAIRS_STORE)
                .to(SpinTopic.CONTROL.topicName(), Produced.with(strings, serdes.control()));
        return builder.build();
    }
}
