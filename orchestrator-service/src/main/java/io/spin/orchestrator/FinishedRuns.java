package io.spin.orchestrator;

import java.util.LinkedHashMap;
import java.util.Map;

import io.spin.commons.kafka.TopicReader;
import io.spin.contract.ControlEvent;

/**
 * Views of runs that ended before this process started. They are not replayed at start (the run index lists them);
 * a request for one reads its history then (one partition, from its request on) and keeps the most recent few.
 */
final class FinishedRuns {
    private final TopicReader reader;
    private final Map<String, RunView> recent;

    FinishedRuns(TopicReader reader, int keep) {
        this.reader = reader;
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RunView> eldest) {
                return size() > keep;
            }
        };
    }

    synchronized RunView load(String runId) {
        RunView view = recent.get(runId);
        if (view == null) {
            view = new RunView(runId);
            for (ControlEvent event : reader.runHistory(runId)) {
                view.apply(event);
            }
            recent.put(runId, view);
        }
        return view;
    }
}
