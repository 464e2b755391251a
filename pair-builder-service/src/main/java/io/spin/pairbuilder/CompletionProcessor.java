package io.spin.pairbuilder;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.spin.commons.ControlEvents;
import io.spin.contract.ControlEvent;
import io.spin.commons.SpinMeters;
import io.spin.contract.GenerationProgress;
import io.spin.contract.IterationStarted;
import io.spin.contract.PairsCompleted;
import io.spin.contract.PreferencePair;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunFailed;

/**
 * Knows when an iteration's pairs are complete. Fed, per run (all of a run's records reach one task), with every
 * new pair and with the control topic's IterationStarted (the expected count), PairsCompleted and run endings. In
 * whichever order pairs and IterationStarted arrive, once the distinct pairs reach the expected count the iteration is
 * marked final; the {@link SnapshotWriter}, outside the exactly-once transaction, then streams the snapshot to object
 * storage and publishes PairsCompleted, and when that event comes back here the iteration's pairs leave the store.
 */
final class CompletionProcessor implements Processor<String, Object, String, ControlEvent> {
    private static final StringSerializer KEYS = new StringSerializer();
    static final long REPORT_EVERY_MS = 30_000;
    private final ControlEvents events;
    private ProcessorContext<String, ControlEvent> context;
    private KeyValueStore<String, String> progress;
    private KeyValueStore<String, PreferencePair> pairs;

    CompletionProcessor(ControlEvents events) {
        this.events = events;
    }

    @Override
    public void init(ProcessorContext<String, ControlEvent> context) {
        this.context = context;
        this.progress = context.getStateStore(PairTopology.PROGRESS_STORE);
        this.pairs = context.getStateStore(PairTopology.ITERATION_PAIRS_STORE);
    }

    @Override
    public void process(Record<String, Object> record) {
        if (record.value() instanceof PreferencePair pair) {
            onPair(pair, record.timestamp());
        } else if (record.value() instanceof ControlEvent event) {
            Object payload = event.getPayload();
            if (payload instanceof IterationStarted started) {
                String iteration = PairStoreKeys.iteration(event.getRunId(), started.getIteration());
                IterationProgress p = IterationProgress.decode(progress.get(iteration));
                IterationProgress updated = new IterationProgress(started.getExpectedPairs(), p.built(), p.tokens(),
                        event.getTimestamp().toEpochMilli(), p.completed(), p.reportedAtMillis(), p.lastPairMillis(), p.published());
                progress.put(iteration, (updated.complete() ? updated.withCompleted() : updated).encode());
                progressMeter(event.getRunId(), started.getIteration(), updated);
            } else if (payload instanceof PairsCompleted completed) {
                published(PairStoreKeys.iteration(event.getRunId(), completed.getIteration()));
            } else if (payload instanceof RunCompleted || payload instanceof RunFailed) {
                // an ended run's iterations will not be published: drop what the store still holds of them
                for (String iteration : keys(progress, PairStoreKeys.run(event.getRunId()))) {
                    published(iteration);
                }
                SpinMeters.runEnded(event.getRunId());
            }
        }
    }

    private void onPair(PreferencePair pair, long timestamp) {
        String iteration = PairStoreKeys.iteration(pair.getRunId(), pair.getIteration());
        String key = PairStoreKeys.pair(pair.getRunId(), pair.getIteration(), pair.getPromptId(), pair.getSampleIndex());
        IterationProgress p = IterationProgress.decode(progress.get(iteration));
        if (p.completed() || pairs.get(key) != null) {
            return;
        }
        pairs.put(key, pair);
        SpinMeters.PAIRS.increment(1, pair.getRunId());
        long now = context.currentSystemTimeMs();
        IterationProgress updated = new IterationProgress(p.expected(), p.built() + 1, p.tokens() + pair.getRejectedTokenCount(),
                p.startedAtMillis(), false, p.reportedAtMillis(), Math.max(p.lastPairMillis(), timestamp), false);
        // every tenth of the iteration, and at least every REPORT_EVERY_MS while pairs arrive: the orchestrator's stall
        // deadline and progress bars see a slow iteration moving
        boolean tenth = updated.built() % Math.max(1, updated.expected() / 10) == 0;
        if (updated.expected() > 0 && !updated.complete() && (tenth || now - p.reportedAtMillis() >= REPORT_EVERY_MS)) {
            context.forward(new Record<>(pair.getRunId(), events.of(pair.getRunId(), GenerationProgress.newBuilder()
                    .setIteration(pair.getIteration()).setReceived(updated.built()).setExpected(updated.expected()).build()), timestamp));
            updated = new IterationProgress(updated.expected(), updated.built(), updated.tokens(), updated.startedAtMillis(), false, now,
                    updated.lastPairMillis(), false);
        }
        progress.put(iteration, (updated.complete() ? updated.withCompleted() : updated).encode());
        progressMeter(pair.getRunId(), pair.getIteration(), updated);
    }

    private static void progressMeter(String runId, int iteration, IterationProgress p) {
        if (p.expected() > 0) {
            SpinMeters.ITERATION_PROGRESS.set(Math.min(1.0, (double) p.built() / p.expected()), runId, Integer.toString(iteration));
        }
    }

    /** PairsCompleted is on the log (or the run ended): the store only served the snapshot, the pairs topic stays. */
    private void published(String iteration) {
        IterationProgress p = IterationProgress.decode(progress.get(iteration));
        if (p.published()) {
            return;
        }
        keys(pairs, iteration).forEach(pairs::delete);
        progress.put(iteration, p.withPublished().encode());
    }

    private static List<String> keys(KeyValueStore<String, ?> store, String prefix) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, ?> it = store.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }
}
