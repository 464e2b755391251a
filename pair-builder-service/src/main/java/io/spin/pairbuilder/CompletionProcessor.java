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
import io.spin.commons.PairSnapshot;
import io.spin.contract.ControlEvent;
import io.spin.contract.GenerationProgress;
import io.spin.contract.IterationStarted;
import io.spin.contract.ObjectRef;
import io.spin.contract.PairsCompleted;
import io.spin.contract.PreferencePair;
import io.spin.contract.RunFailed;

/**
 * Knows when an iteration's pairs are complete. Fed, per run (all of a run's records reach one task), with every
 * new pair and with the control topic's IterationStarted (the expected count). In whichever order they arrive, once
 * the distinct pairs reach the expected count it writes the snapshot, then emits PairsCompleted exactly once.
 */
final class CompletionProcessor implements Processor<String, Object, String, ControlEvent> {
    private static final StringSerializer KEYS = new StringSerializer();
    static final long REPORT_EVERY_MS = 30_000;
    private final ControlEvents events;
    private final SnapshotSink sink;
    private ProcessorContext<String, ControlEvent> context;
    private KeyValueStore<String, String> progress;
    private KeyValueStore<String, PreferencePair> pairs;

    CompletionProcessor(ControlEvents events, SnapshotSink sink) {
        this.events = events;
        this.sink = sink;
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
        } else if (record.value() instanceof ControlEvent event && event.getPayload() instanceof IterationStarted started) {
            String iteration = iterationKey(event.getRunId(), started.getIteration());
            IterationProgress p = IterationProgress.decode(progress.get(iteration));
            IterationProgress updated = new IterationProgress(started.getExpectedPairs(), p.built(), p.tokens(),
                    event.getTimestamp().toEpochMilli(), p.completed(), p.reportedAtMillis(), p.lastPairMillis());
            complete(event.getRunId(), started.getIteration(), updated, record.timestamp());
        }
    }

    private void onPair(PreferencePair pair, long timestamp) {
        String iteration = iterationKey(pair.getRunId(), pair.getIteration());
        String key = iteration + pair.getPromptId() + "/" + pair.getSampleIndex();
        IterationProgress p = IterationProgress.decode(progress.get(iteration));
        if (p.completed() || pairs.get(key) != null) {
            return;
        }
        pairs.put(key, pair);
        long now = context.currentSystemTimeMs();
        IterationProgress updated = new IterationProgress(p.expected(), p.built() + 1, p.tokens() + pair.getRejectedTokenCount(),
                p.startedAtMillis(), false, p.reportedAtMillis(), Math.max(p.lastPairMillis(), timestamp));
        // every tenth of the iteration, and at least every REPORT_EVERY_MS while pairs arrive: the orchestrator's stall
        // deadline and progress bars see a slow iteration moving
        boolean tenth = updated.built() % Math.max(1, updated.expected() / 10) == 0;
        if (updated.expected() > 0 && !updated.complete() && (tenth || now - p.reportedAtMillis() >= REPORT_EVERY_MS)) {
            context.forward(new Record<>(pair.getRunId(), events.of(pair.getRunId(), GenerationProgress.newBuilder()
                    .setIteration(pair.getIteration()).setReceived(updated.built()).setExpected(updated.expected()).build()), timestamp));
            updated = new IterationProgress(updated.expected(), updated.built(), updated.tokens(), updated.startedAtMillis(), false, now,
                    updated.lastPairMillis());
        }
        complete(pair.getRunId(), pair.getIteration(), updated, timestamp);
    }

    private void complete(String runId, int iteration, IterationProgress p, long timestamp) {
        String prefix = iterationKey(runId, iteration);
        if (!p.complete() || p.completed()) {
            progress.put(prefix, p.encode());
            return;
        }
        List<PreferencePair> all = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, PreferencePair> it = pairs.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(kv -> {
                keys.add(kv.key);
                all.add(kv.value);
            });
        }
        ObjectRef snapshot;
        try {
            snapshot = sink.write(runId, iteration, PairSnapshot.jsonl(all));
        } catch (RuntimeException e) {
            // object storage still unavailable after its retries: fail the run with the reason instead of stalling it
            context.forward(new Record<>(runId, events.of(runId, RunFailed.newBuilder().setComponent("pair-builder").setIteration(iteration)
                    .setReason("could not write the pair snapshot of iteration " + iteration + ": " + e.getMessage()).build()), timestamp));
            progress.put(prefix, p.withCompleted().encode());
            return;
        }
        PairSnapshot.Stats stats = PairSnapshot.Stats.of(all);
        long now = context.currentSystemTimeMs();
        double seconds = p.startedAtMillis() > 0 ? Math.max(1e-3, (now - p.startedAtMillis()) / 1000.0) : 0;
        boolean timed = p.startedAtMillis() > 0 && p.lastPairMillis() > 0;
        PairsCompleted completed = PairsCompleted.newBuilder().setIteration(iteration).setPairCount(all.size()).setSnapshot(snapshot)
                .setExactMatchRate(stats.exactMatchRate()).setMeanSimilarity(stats.meanSimilarity())
                .setTokensPerSecond(seconds > 0 ? p.tokens() / seconds : 0)
                .setGenerationSeconds(timed ? Math.max(0, p.lastPairMillis() - p.startedAtMillis()) / 1000.0 : 0)
                .setPairingSeconds(timed ? Math.max(0, now - Math.max(p.lastPairMillis(), p.startedAtMillis())) / 1000.0 : 0).build();
        context.forward(new Record<>(runId, events.of(runId, completed), timestamp));
        progress.put(prefix, p.withCompleted().encode());
        keys.forEach(pairs::delete); // the pairs topic stays the source of truth; the store only served the snapshot
    }

    static String iterationKey(String runId, int iteration) {
        return runId + "/" + iteration + "/";
    }
}
