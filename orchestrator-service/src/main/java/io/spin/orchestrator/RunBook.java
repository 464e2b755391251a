package io.spin.orchestrator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import io.spin.commons.kafka.RunIndex;
import io.spin.contract.ControlEvent;
import io.spin.contract.ObjectRef;
import io.spin.contract.RunStatus;
import io.spin.contract.RunSummary;
import io.spin.contract.ServicePrincipal;

/**
 * The runs as the control log tells them: the views of the open runs (and of the last ended ones), what the run index
 * says of every run, and each run's latest report. It belongs to the {@link RunActor}: everything but the snapshot
 * readers below runs on the actor's thread, so it holds no lock. Each change publishes the run's report as an
 * immutable snapshot, which REST, SSE and the CLI read from any thread, and tells the run's followers; the finished
 * runs are published the same way.
 */
final class RunBook {
    private final Map<String, RunView> runs = new LinkedHashMap<>();
    private final Map<String, RunReport.Report> reports = new ConcurrentHashMap<>();
    private final Map<String, Set<Consumer<RunReport.Report>>> followers = new ConcurrentHashMap<>();
    /** What the run index says of each run, as read at start and as written since. */
    private final Map<String, RunStatus> indexed = new HashMap<>();
    /** Runs that ended before this process started, or left memory since: known from the index only (a snapshot, replaced). */
    private volatile Map<String, RunSummary> finished = Map.of();
    private RunIndex index;

    void indexLoaded(RunIndex loaded) {
        index = loaded;
        Map<String, RunSummary> ended = new LinkedHashMap<>(finished);
        loaded.runs().forEach((id, summary) -> {
            indexed.put(id, summary.getStatus());
            if (loaded.ended(id)) {
                ended.put(id, summary);
            }
        });
        finished = java.util.Collections.unmodifiableMap(ended);
    }

    /** Applies a replayed or live event, unless its run ended before this start (the tail of a finished history). */
    boolean applyFromLog(ControlEvent event) {
        if (index.ended(event.getRunId())) {
            return false;
        }
        apply(event);
        return true;
    }

    /** Applies the event to its run and publishes the run's new report. */
    void apply(ControlEvent event) {
        RunView view = runs.computeIfAbsent(event.getRunId(), RunView::new);
        view.apply(event);
        if (view.config != null) {
            RunReport.Report report = RunReport.of(view);
            reports.put(view.runId, report);
            followers.getOrDefault(view.runId, Set.of()).forEach(follower -> follower.accept(report));
        }
    }

    /** What one transaction wrote, applied at once: no reader sees part of it. */
    void applyAll(List<ControlEvent> events, List<RunSummary> entries) {
        events.forEach(this::apply);
        entries.forEach(summary -> indexed.put(summary.getRunId(), summary.getStatus()));
    }

    /** A run whose index entry is missing or says another status (it ended, or was never indexed). */
    boolean indexStale(RunView run) {
        return run.config != null && run.requestedAt != null && indexed.get(run.runId) != RunStatus.valueOf(run.status());
    }

    /**
     * An index entry to write now: the run's is stale, and if it ended, its datasets are released. The end is indexed
     * only after the release, since a run the index lists as ended is not replayed at the next start: an orchestrator
     * that stops between the two finds the run still open in the index, replays it, and releases its datasets then.
     */
    RunSummary dueIndexEntry(RunView run) {
        return indexStale(run) && (!run.ended() || run.datasetsReleased) ? run.summary() : null;
    }

    /** The index entries the views call for now ({@link #dueIndexEntry}). */
    List<RunSummary> staleIndexEntries() {
        return runs.values().stream().map(this::dueIndexEntry).filter(java.util.Objects::nonNull).toList();
    }

    /** Runs to look at again: open, or ended and not yet indexed as such. */
    List<String> toAdvance() {
        return runs.values().stream().filter(r -> !r.ended() || indexStale(r)).map(r -> r.runId).toList();
    }

    /** The next step of a run in memory, or null when the run is not in memory. */
    NextStep nextStep(String runId, Instant now) {
        RunView run = runs.get(runId);
        return run == null ? null : NextStep.of(run, now);
    }

    /** Reads the view of a run in memory; null when it is not in memory. */
    <T> T read(String runId, Function<RunView, T> reader) {
        RunView run = runs.get(runId);
        return run == null ? null : reader.apply(run);
    }

    RunView inMemory(String runId) {
        return runs.get(runId);
    }

    long open() {
        return runs.values().stream().filter(r -> !r.ended()).count();
    }

    int size() {
        return runs.size();
    }

    /** What {@link ReportCheck} says of a service's report, against the run as it is now. */
    ReportCheck check(ServicePrincipal reporter, String key, ControlEvent report) {
        return ReportCheck.of(reporter, key, report, runs.get(report.getRunId()), finished.containsKey(report.getRunId()));
    }

    /** Ended runs whose datasets are still to be released (before their end is indexed: {@link #dueIndexEntry}). */
    List<RunView> awaitingRelease() {
        return runs.values().stream().filter(r -> r.ended() && !r.datasetsReleased).toList();
    }

    Map<String, ObjectRef> unusedDatasets(RunView ended) {
        return DatasetRelease.unused(ended, runs.values());
    }

    void released(RunView run) {
        run.datasetsReleased = true;
    }

    /**
     * Memory follows the open runs: beyond the {@code keep} that ended last, an ended run whose end the index records
     * (and whose datasets were released) leaves memory, its summary staying with the other finished runs'. Returns the
     * runs that left.
     */
    List<String> forgetEnded(int keep) {
        List<RunView> ended = runs.values().stream().filter(r -> r.ended() && r.datasetsReleased && !indexStale(r))
                .sorted(Comparator.comparing((RunView r) -> r.endedAt, Comparator.nullsFirst(Comparator.naturalOrder()))).toList();
        List<RunView> leaving = ended.subList(0, Math.max(0, ended.size() - keep));
        if (leaving.isEmpty()) {
            return List.of();
        }
        Map<String, RunSummary> now = new LinkedHashMap<>(finished);
        leaving.forEach(run -> now.put(run.runId, run.summary()));
        finished = java.util.Collections.unmodifiableMap(now); // published before the reports go: a reader always finds the run
        List<String> gone = new ArrayList<>();
        for (RunView run : leaving) {
            runs.remove(run.runId);
            reports.remove(run.runId);
            gone.add(run.runId);
        }
        return gone;
    }

    /** spin_runs{status}: the runs in memory and those the index lists as finished. */
    Map<RunStatus, Integer> counts() {
        Map<RunStatus, Integer> counts = new EnumMap<>(RunStatus.class);
        runs.values().forEach(r -> counts.merge(RunStatus.valueOf(r.status()), 1, Integer::sum));
        finished.forEach((id, summary) -> {
            if (!runs.containsKey(id)) {
                counts.merge(summary.getStatus(), 1, Integer::sum);
            }
        });
        return counts;
    }

    /** From any thread: the runs known from the index only. */
    Collection<RunSummary> finishedBefore() {
        return finished.values();
    }

    /** From any thread: whether the run is known from the index only. */
    boolean finished(String runId) {
        return finished.containsKey(runId);
    }

    /** From any thread: the latest report of a run in memory. */
    RunReport.Report report(String runId) {
        return reports.get(runId);
    }

    Collection<RunReport.Report> reports() {
        return List.copyOf(reports.values());
    }

    /** Tells {@code follower} of each report the run gets from now on; returns what stops it. */
    Runnable follow(String runId, Consumer<RunReport.Report> follower) {
        followers.computeIfAbsent(runId, k -> ConcurrentHashMap.newKeySet()).add(follower);
        return () -> followers.computeIfPresent(runId, (k, set) -> {
            set.remove(follower);
            return set.isEmpty() ? null : set;
        });
    }
}
