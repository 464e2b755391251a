package io.spin.orchestrator;

import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;

import io.spin.contract.ObjectRef;
import io.spin.contract.RunConfig;

/**
 * The human-responses table forgets a dataset once no open run uses it: when a run ends, each of its datasets that no
 * other open run names has its rows tombstoned (keys from the dataset's copy), so the compacted topic, and the pair
 * builder's global table restored from it, follow the open runs instead of every dataset ever loaded. A dataset used
 * again is published again by its new run. Publishing a new run's rows and tombstoning take turns ({@link #exclusive}),
 * so a run that starts on a dataset while it is being forgotten gets its rows after the tombstones, not before.
 */
final class DatasetRelease {
    private static final Logger LOG = Logger.getLogger(DatasetRelease.class);
    private final Object turn = new Object();

    /**
     * Tombstones the rows of each ended run's datasets that no open run uses; a failure is tried again later. Called off
     * the actor, which it asks for what the book says: the tombstones are written outside it. Returns the runs released.
     */
    List<String> releaseEnded(RunActor actor, RunBook book, DatasetPublisher publisher, Consumer<List<ProducerRecord<String, Object>>> write) {
        List<String> released = new java.util.ArrayList<>();
        for (RunView run : actor.ask(book::awaitingRelease)) {
            try {
                exclusive(() -> {
                    actor.ask(() -> book.unusedDatasets(run)).forEach((id, copy) -> LOG.infof("dataset %s: no open run uses it; %d rows tombstoned",
                            id, publisher.forget(id, copy, write)));
                    actor.perform(() -> book.released(run));
                });
                released.add(run.runId);
            } catch (RuntimeException e) {
                LOG.warnf(e, "run %s: could not tombstone its datasets' rows yet; trying again", run.runId);
            }
        }
        return released;
    }

    /** Runs {@code work} while no dataset is published or forgotten. */
    void exclusive(Runnable work) {
        synchronized (turn) {
            work.run();
        }
    }

    /** The ended run's datasets (id to copy) that none of the open runs uses; a dataset without a copy is kept. */
    static Map<String, ObjectRef> unused(RunView ended, Collection<RunView> runs) {
        Map<String, ObjectRef> unused = new LinkedHashMap<>();
        RunConfig c = ended.config;
        if (c == null) {
            return unused;
        }
        if (c.getTrainDataset() != null) {
            unused.put(c.getTrainDatasetId(), c.getTrainDataset());
        }
        if (c.getEvalDatasetId() != null && c.getEvalDataset() != null) {
            unused.put(c.getEvalDatasetId(), c.getEvalDataset());
        }
        for (RunView run : runs) {
            if (run != ended && run.config != null && !run.ended()) {
                unused.remove(run.config.getTrainDatasetId());
                if (run.config.getEvalDatasetId() != null) {
                    unused.remove(run.config.getEvalDatasetId());
                }
            }
        }
        return unused;
    }
}
