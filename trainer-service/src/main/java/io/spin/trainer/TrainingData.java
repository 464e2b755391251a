package io.spin.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.spin.commons.DatasetCopies;
import io.spin.commons.PairSnapshot;
import io.spin.contract.ObjectRef;
import io.spin.contract.PairsCompleted;
import io.spin.data.Example;
import io.spin.storage.ObjectStorage;

/**
 * Training data as the run recorded it, never a scan of a topic: datasets from their content-addressed copies, and a
 * window's pairs from the snapshots the pair builder wrote for those iterations (each SHA-256 checked against its
 * PairsCompleted). What it reads follows the window's size, whatever the topics hold.
 */
final class TrainingData {
    private final ObjectStorage storage;
    private final DatasetCopies datasets;

    TrainingData(ObjectStorage storage, DatasetCopies datasets) {
        this.storage = storage;
        this.datasets = datasets;
    }

    /** The dataset's examples in source-file order. */
    List<Example> examples(ObjectRef copy, String datasetId, int expected) {
        return datasets.examples(copy, datasetId, expected);
    }

    /**
     * The dataset's examples streamed in source-file order to {@code each}, never held: from its copy when the run
     * recorded one (SFT on a dataset far larger than the heap), else (older runs) from the topic. Fails naming the copy
     * when it holds another number of examples than the run recorded.
     */
    void forEach(ObjectRef copy, String datasetId, int expected, Consumer<Example> each) {
        if (copy == null) {
            datasets.examples(null, datasetId, expected).forEach(each);
            return;
        }
        int seen = datasets.forEach(copy, each);
        if (seen != expected) {
            throw new IllegalStateException("dataset " + datasetId + ": " + seen + " of " + expected + " examples in " + copy.getUri());
        }
    }

    /** The pairs of the window's iterations (ascending), each iteration's in snapshot order (promptId, sampleIndex). */
    List<PairSnapshot.Row> pairs(Map<Integer, PairsCompleted> window) {
        List<PairSnapshot.Row> rows = new ArrayList<>();
        for (PairsCompleted completed : window.values()) {
            rows.addAll(snapshot(completed));
        }
        return rows;
    }

    private List<PairSnapshot.Row> snapshot(PairsCompleted completed) {
        ObjectRef ref = completed.getSnapshot();
        // streamed and SHA-256 checked as it streams: a snapshot of any size, never one byte array (which stops at 2 GiB)
        List<PairSnapshot.Row> rows = storage.readVerified("pair snapshot", ref.getUri(), ref.getSha256(), in -> PairSnapshot.read(ref.getUri(), in));
        if (rows.size() != completed.getPairCount()) {
            throw new IllegalStateException("pair snapshot " + ref.getUri() + " holds " + rows.size() + " pairs, PairsCompleted says "
                    + completed.getPairCount());
        }
        return rows;
    }
}
