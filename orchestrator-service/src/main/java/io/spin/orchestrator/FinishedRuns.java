package io.spin.orchestrator;

import java.util.LinkedHashMap;
import java.util.Map;

import io.spin.commons.kafka.TopicReader;
import io.spin.contract.ControlEvent;

/**
 * Views of runs that ended before this process started. They are not replayed at start (the run index lists them);
 * a request for one reads its history then (one partition, from its request on) and keeps the most recent
 * {@code keep}. The read happens outside any lock: a slow read delays only the requests for that same run, which wait
 * for it rather than read again.
 */
final class FinishedRuns {
    private final TopicReader reader;
    private final Map<String, RunView> recent;
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.CompletableFuture<RunView>> loading =
            new java.util.concurrent.ConcurrentHashMap<>();

    FinishedRuns(TopicReader reader, int keep) {
        this.reader = reader;
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RunView> eldest) {
                return size() > keep;
            }
        };
    }

    RunView load(String runId) {
        synchronized (recent) {
            RunView view = recent.get(runId);
            if (view != null) {
                return view;
            }
        }
        java.util.concurrent.CompletableFuture<RunView> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<RunView> theirs = loading.putIfAbsent(runId, mine);
        if (theirs != null) {
            return theirs.join();
        }
        try {
            RunView view = new RunView(runId);
            for (ControlEvent event : reader.runHistory(runId)) {
                view.apply(event);
            }
            synchronized (recent) {
                recent.put(runId, view);
            }
            mine.complete(view);
            return view;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(runId);
        }
    }
}
