package io.spin.generator;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.spin.commons.kafka.ControlLogFollower;
import io.spin.commons.kafka.RunIndex;
import io.spin.contract.CancelRequested;
import io.spin.contract.ControlEvent;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunFailed;
import io.spin.contract.SpinTopic;

/**
 * Which runs have ended (completed, failed, or asked to cancel), so that their queued requests are skipped instead
 * of sampled. Starts from the run index (runs that ended within the request topic's retention: older ones have no
 * request left) and follows the control log from the oldest open run, so start-up never reads finished histories.
 */
@ApplicationScoped
public class RunEndings {
    private static final Logger LOG = Logger.getLogger(RunEndings.class);

    @Inject
    GeneratorConfig config;

    /** Ended runs and when they ended; forgotten after the request topic's retention, when no request of theirs is left. */
    private final Map<String, Instant> ended = new ConcurrentHashMap<>();
    private ControlLogFollower follower;

    void start(@Observes StartupEvent ignored) {
        Duration lookBack = SpinTopic.GENERATION_REQUESTS.retention();
        follower = new ControlLogFollower(config.kafkaBootstrap(), config.registryApiUrl(), "generator", new ControlLogFollower.Handler() {
            @Override
            public void apply(ControlEvent event, boolean replay) {
                Object p = event.getPayload();
                if ((p instanceof RunCompleted || p instanceof RunFailed || p instanceof CancelRequested)
                        && ended.putIfAbsent(event.getRunId(), event.getTimestamp()) == null && !replay) {
                    forgetOlderThan(Instant.now().minus(lookBack));
                    LOG.infof("run %s ended: its queued requests are skipped", event.getRunId());
                    io.spin.commons.SpinMeters.runEnded(event.getRunId());
                }
            }

            @Override
            public void caughtUp() {
                LOG.infof("control log followed: %d runs ended in the last %d days", ended.size(), lookBack.toDays());
            }
        }, RunIndex.loadedAtStart(config.kafkaBootstrap(), config.registryApiUrl(), index -> {
            Instant since = Instant.now().minus(lookBack);
            index.runs().forEach((id, summary) -> {
                if (index.ended(id) && (summary.getEndedAt() == null || summary.getEndedAt().isAfter(since))) {
                    ended.put(id, summary.getEndedAt() == null ? Instant.now() : summary.getEndedAt());
                }
            });
        }));
        follower.start();
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
        return follower != null && follower.isCaughtUp() && follower.isAlive();
    }

    /** Waits (bounded) for the first catch-up, so the first batches after a start skip what has ended too. */
    void awaitReady(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!ready() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    @PreDestroy
    void stop() {
        if (follower != null) {
            follower.close();
        }
    }
}
