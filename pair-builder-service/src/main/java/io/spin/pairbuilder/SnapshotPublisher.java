package io.spin.pairbuilder;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import io.quarkus.runtime.StartupEvent;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.contract.ObjectRef;
import io.spin.storage.ObjectStorage;

/**
 * Runs the {@link SnapshotWriter} over this instance's stores, read through interactive queries so the stream thread
 * never waits for object storage, in rounds a little further apart than Kafka Streams' commit interval (the writer's
 * rule needs that; any longer only delays every PairsCompleted). Snapshots go to runs/&lt;run&gt;/iter-&lt;t&gt;/pairs.jsonl.
 */
@ApplicationScoped
public class SnapshotPublisher {
    private static final Logger LOG = Logger.getLogger(SnapshotPublisher.class);

    @Inject
    KafkaStreams streams;
    @Inject
    ObjectStorage storage;
    @Inject
    ControlEvents events;
    @Inject
    PairBuilderConfig config;
    @ConfigProperty(name = "kafka-streams.commit.interval.ms")
    long commitIntervalMs;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "snapshot-writer"));
    private ControlPublisher publisher;
    private SnapshotWriter writer;

    void start(@Observes StartupEvent ignored) {
        publisher = new ControlPublisher(config.kafkaBootstrap(), config.registryApiUrl(), io.spin.contract.ServicePrincipal.PAIR_BUILDER);
        SnapshotSink sink = (runId, iteration, file, sha256, bytes) -> {
            String key = "runs/" + runId + "/iter-" + iteration + "/pairs.jsonl";
            storage.putFile(key, file);
            return ObjectRef.newBuilder().setUri(storage.uri(key)).setSha256(sha256).setBytes(bytes).build();
        };
        writer = new SnapshotWriter(sink, events, publisher::publish, config.pairBuilder().snapshotDir(), System::currentTimeMillis);
        long round = commitIntervalMs + 25;
        thread.scheduleWithFixedDelay(this::writeAwaiting, round, round, TimeUnit.MILLISECONDS);
    }

    private void writeAwaiting() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return;
        }
        try {
            int published = writer.writeAwaiting(
                    streams.store(StoreQueryParameters.fromNameAndType(PairTopology.PROGRESS_STORE, QueryableStoreTypes.<String, String>keyValueStore())),
                    streams.store(StoreQueryParameters.fromNameAndType(PairTopology.ITERATION_PAIRS_STORE,
                            QueryableStoreTypes.<String, io.spin.contract.PreferencePair>keyValueStore())));
            if (published > 0) {
                LOG.infof("%d iteration snapshot(s) written and PairsCompleted published", published);
            }
        } catch (InvalidStateStoreException e) {
            LOG.debugf("stores not queryable right now (a rebalance): %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("writing snapshots failed; trying again shortly", e);
        }
    }

    @PreDestroy
    void stop() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (publisher != null) {
            publisher.close();
        }
    }
}
