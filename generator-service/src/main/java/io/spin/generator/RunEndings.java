package io.spin.generator;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.Blocking;
import io.spin.contract.CancelRequested;
import io.spin.contract.ControlEvent;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunFailed;
import io.spin.contract.SpinTopic;
import io.spin.messaging.ControlReplay;

/**
 * Which runs have ended (completed, failed, or asked to cancel), so that their queued requests are skipped instead
 * of sampled. Starts from the run index (runs that ended within the request topic's retention: older ones have no
 * request left) and follows the control channel from the oldest open run ({@link ControlReplay}), so start-up never
 * reads finished histories.
 */
@ApplicationScoped
public class RunEndings {
    private static final Logger LOG = Logger.getLogger(RunEndings.class);
    private static final Duration LOOK_BACK = SpinTopic.GENERATION_REQUESTS.retention();

    @Inject
    ControlReplay replay;

    /** Ended runs and when they ended; forgotten after the request topic's retention, when no request of theirs is left. */
    private final Map<String, Instant> ended = new ConcurrentHashMap<>();

    void indexLoaded(@Observes ControlReplay.IndexLoaded loaded) {
        Instant since = Instant.now().minus(LOOK_BACK);
        loaded.index().runs().forEach((id, summary) -> {
            if (loaded.index().ended(id) && (summary.getEndedAt() == null || summary.getEndedAt().isAfter(since))) {
                ended.put(id, summary.getEndedAt() == null ? Instant.now() : summary.getEndedAt());
            }
        });
    }

    @Incoming("control")
    @Blocking
    public CompletionStage<Void> follow(Message<Object> record) {
        return replay.follow(record, this::apply);
    }

    private void apply(ControlEvent event, boolean replaying) {
        Object p = event.getPayload();
        if ((p instanceof RunCompleted || p instanceof RunFailed || p instanceof CancelRequested)
                && ended.putIfAbsent(event.getRunId(), event.getTimestamp()) == null && !replaying) {
            forgetOlderThan(Instant.now().minus(LOOK_BACK));
            LOG.infof("run %s ended: its queued requests are skipped", event.getRunId());
            io.spin.commons.SpinMeters.runEnded(event.getRunId());
        }
    }

    void caughtUp(@Observes ControlReplay.CaughtUp caughtUp) {
        LOG.infof("control log followed: %d runs ended in the last %d days", ended.size(), LOOK_BACK.toDays());
    }

    /** Marks a run this replica itself failed. */
    void end(String runId) {
        ended.putIfAbsent(runId, Instant.now());
    }

    boolean hasEnded(String runId) {
        return ended.containsKey(runId);
    }

    /** Runs that ended before {@code before} have no request left on the topic (its retention): nothing to skip. */
    void forgetOlderThan(Instant before) {
        ended.values().removeIf(at -> at.isBefore(before));
    }

    /** Caught up with the log: before that, a request of a run that ended may not yet be recognised. */
    public boolean ready() {
        return replay.isCaughtUp();
    }

    /** Waits (bounded) for the first catch-up, so the first batches after a start skip what has ended too. */
    void awaitReady(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!ready() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }
}
