package io.spin.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.spin.commons.kafka.RunIndex;
import io.spin.contract.ControlEvent;
import io.spin.contract.ConvergenceCriteria;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunConfig;
import io.spin.contract.RunEndStatus;
import io.spin.contract.RunRequested;
import io.spin.contract.RunStatus;
import io.spin.contract.RunSummary;
import io.spin.contract.SamplingParams;

/** What the run index is told, and when: an end only once the run's datasets are released. */
class RunBookTest {
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

    @Test
    void anEndedRunIsIndexedAsEndedOnlyAfterItsDatasetsAreReleased() {
        RunBook book = new RunBook();
        book.indexLoaded(new RunIndex(Map.of(), Map.of(), Duration.ZERO));
        book.apply(event("run-a", "e1", T0, RunRequested.newBuilder().setConfig(config()).setRequestedBy("test").build()));
        assertEquals(List.of(RunStatus.RUNNING), statuses(book.staleIndexEntries()), "an open run is indexed at once");
        book.applyAll(List.of(), book.staleIndexEntries());
        assertEquals(List.of(), book.staleIndexEntries());

        book.apply(event("run-a", "e2", T0.plusSeconds(60), RunCompleted.newBuilder().setStatus(RunEndStatus.COMPLETED)
                .setStopReason("done").setIterationsCompleted(1).build()));
        RunView run = book.inMemory("run-a");
        assertEquals(List.of(run), book.awaitingRelease());
        assertEquals(List.of(), book.staleIndexEntries(),
                "not indexed as ended yet: a restart now must replay the run, or its datasets would never be released");
        assertEquals(null, book.dueIndexEntry(run));
        assertEquals(List.of("run-a"), book.toAdvance(), "looked at again until its end is indexed");

        book.released(run);
        assertEquals(List.of(), book.awaitingRelease());
        assertEquals(List.of(RunStatus.COMPLETED), statuses(book.staleIndexEntries()));
        assertEquals(T0.plusSeconds(60), book.dueIndexEntry(run).getEndedAt());
        assertEquals(List.of(), book.forgetEnded(0), "still unindexed: it stays in memory");

        book.applyAll(List.of(), book.staleIndexEntries());
        assertEquals(List.of(), book.toAdvance());
        assertEquals(List.of("run-a"), book.forgetEnded(0));
        assertTrue(book.finished("run-a"), "known from the index from now on");
        assertEquals(1, book.finishedBefore().size());
    }

    private static List<RunStatus> statuses(List<RunSummary> entries) {
        return entries.stream().map(RunSummary::getStatus).toList();
    }

    private static ControlEvent event(String runId, String eventId, Instant at, Object payload) {
        return ControlEvent.newBuilder().setRunId(runId).setEventId(eventId).setProducerId("test").setTimestamp(at).setPayload(payload).build();
    }

    private static RunConfig config() {
        return RunConfig.newBuilder().setTrainDatasetId("d").setTrainPromptCount(1).setIterations(1)
                .setBetas(List.of(0.1)).setLearningRates(List.of(1e-4))
                .setSampling(SamplingParams.newBuilder().build()).setConvergence(ConvergenceCriteria.newBuilder().build()).build();
    }
}
