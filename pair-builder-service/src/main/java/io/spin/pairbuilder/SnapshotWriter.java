package io.spin.pairbuilder;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import io.spin.commons.ControlEvents;
import io.spin.commons.PairSnapshot;
import io.spin.contract.ControlEvent;
import io.spin.contract.ObjectRef;
import io.spin.contract.PairsCompleted;
import io.spin.contract.PreferencePair;
import io.spin.contract.RunFailed;

/**
 * Writes the snapshots of iterations whose pairs are final, outside the exactly-once transaction: walks the
 * iteration's pairs in the store (already in snapshot order, see {@link PairStoreKeys}) into a local file while
 * digesting it, hands the file to the sink (a multipart upload), then publishes PairsCompleted. Memory does not depend
 * on the iteration's size, and a slow object store delays one iteration instead of aborting transactions.
 * Events carry ids derived from (run, iteration), so one published again after a crash is skipped by readers.
 */
final class SnapshotWriter {
    private static final Logger LOG = Logger.getLogger(SnapshotWriter.class);
    private static final StringSerializer KEYS = new StringSerializer();

    private final SnapshotSink sink;
    private final ControlEvents events;
    private final Consumer<ControlEvent> publish;
    private final Path workDir;
    private final LongSupplier clock;
    /** Iterations published by this process; the store says so too once the event has come back through it. */
    private final Set<String> done = new HashSet<>();
    /** Iterations seen final in the previous round (see {@link #writeAwaiting}). */
    private Set<String> seenBefore = new HashSet<>();

    /** {@code clock}: the wall clock in epoch milliseconds, the one record timestamps are in. */
    SnapshotWriter(SnapshotSink sink, ControlEvents events, Consumer<ControlEvent> publish, Path workDir, LongSupplier clock) {
        this.sink = sink;
        this.events = events;
        this.publish = publish;
        this.workDir = workDir;
        this.clock = clock;
    }

    /**
     * Writes the awaiting snapshots the stores hold; returns how many iterations it published. An iteration is written
     * in the round after the one that first saw it final: a store shows a task's writes before their transaction
     * commits, and rounds further apart than the commit interval let the last pairs reach the pairs topic first.
     */
    int writeAwaiting(ReadOnlyKeyValueStore<String, String> progress, ReadOnlyKeyValueStore<String, PreferencePair> pairs) {
        long nowMillis = clock.getAsLong();
        int published = 0;
        Set<String> seen = new HashSet<>();
        try (KeyValueIterator<String, String> all = progress.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> entry = all.next();
                IterationProgress p = IterationProgress.decode(entry.value);
                if (!p.awaitingSnapshot() || done.contains(entry.key)) {
                    continue;
                }
                seen.add(entry.key);
                if (seenBefore.contains(entry.key) && write(entry.key, p, pairs, nowMillis)) {
                    published++;
                }
            }
        }
        seenBefore = seen;
        return published;
    }

    private boolean write(String iterationKey, IterationProgress p, ReadOnlyKeyValueStore<String, PreferencePair> pairs, long nowMillis) {
        String[] parts = iterationKey.split("/");
        String runId = parts[0];
        int iteration = Integer.parseInt(parts[1]);
        Path file = null;
        try {
            Files.createDirectories(workDir);
            file = Files.createTempFile(workDir, runId + "-" + iteration + "-", ".jsonl");
            PairSnapshot.Writer writer;
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                 KeyValueIterator<String, PreferencePair> it = pairs.prefixScan(iterationKey, KEYS)) {
                writer = new PairSnapshot.Writer(out, PairSnapshot.Format.FULL);
                it.forEachRemaining(kv -> writer.write(kv.value));
            }
            PairSnapshot.Stats stats = writer.stats();
            if (stats.pairs() != p.built()) {
                // the store is between two commits (a reader may see a task's writes before they commit): next round
                LOG.infof("snapshot of %s: %d of %d pairs visible yet; will retry", iterationKey, stats.pairs(), p.built());
                return false;
            }
            ObjectRef snapshot;
            try {
                snapshot = sink.write(runId, iteration, file, writer.sha256(), writer.bytes());
            } catch (RuntimeException e) {
                // object storage still unavailable after its retries: fail the run with the reason instead of stalling it
                publish.accept(events.of(runId, "pairs-snapshot-failed/" + runId + "/" + iteration, RunFailed.newBuilder()
                        .setComponent("pair-builder").setIteration(iteration)
                        .setReason("could not write the pair snapshot of iteration " + iteration + ": " + e.getMessage()).build()));
                done.add(iterationKey);
                return false;
            }
            // pairing runs to now, after the upload: the report's pairing time is all of what the trainer waited for
            long writtenMillis = clock.getAsLong();
            double seconds = p.startedAtMillis() > 0 ? Math.max(1e-3, (nowMillis - p.startedAtMillis()) / 1000.0) : 0;
            boolean timed = p.startedAtMillis() > 0 && p.lastPairMillis() > 0;
            PairsCompleted completed = PairsCompleted.newBuilder().setIteration(iteration).setPairCount(stats.pairs()).setSnapshot(snapshot)
                    .setExactMatchRate(stats.exactMatchRate()).setMeanSimilarity(stats.meanSimilarity())
                    .setTokensPerSecond(seconds > 0 ? p.tokens() / seconds : 0)
                    .setGenerationSeconds(timed ? Math.max(0, p.lastPairMillis() - p.startedAtMillis()) / 1000.0 : 0)
                    .setPairingSeconds(timed ? Math.max(0, writtenMillis - Math.max(p.lastPairMillis(), p.startedAtMillis())) / 1000.0 : 0).build();
            publish.accept(events.of(runId, "pairs-completed/" + runId + "/" + iteration, completed));
            done.add(iterationKey);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot of " + iterationKey + " in " + workDir, e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file: the next start's folder is cleaned by the OS or the pod's emptyDir
                }
            }
        }
    }
}
