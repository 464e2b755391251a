package io.spin.trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.common.annotation.Blocking;

import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.RunIndex;
import io.spin.commons.kafka.TopicReader;
import io.spin.commons.DatasetCopies;
import io.spin.storage.ObjectStorage;
import io.spin.contract.ControlEvent;
import io.spin.contract.RunFailed;
import io.spin.checkpoint.CheckpointStore;
import io.spin.messaging.ControlReplay;

/**
 * Follows the control channel (replayed from the oldest open run, {@link ControlReplay}), and runs every training job it asks for (SFT on SftRequested, SPIN iteration t on
 * PairsCompleted(t)) one at a time on a single training thread (one gradient collector per JVM). The job list is
 * a fold of the log, so after a restart the unfinished job simply runs again.
 */
@ApplicationScoped
public class TrainerService {
    private static final Logger LOG = Logger.getLogger(TrainerService.class);

    @Inject
    ObjectStorage storage;
    @Inject
    ControlEvents events;
    @Inject
    TrainerConfig config;
    @Inject
    ReportChannel reports;
    @Inject
    ControlReplay replay;

    private final TrainerState state = new TrainerState();
    private final Set<TrainerState.Job> queued = new HashSet<>();
    private final Set<TrainerState.Job> done = new HashSet<>();
    private final ExecutorService trainingThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "spin-training"));
    /** The run index as read at start: the replay begins at the oldest open run and skips runs that had ended. */
    private volatile RunIndex index;
    private JobContext context;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object started) throws Exception {
        String bootstrap = config.kafkaBootstrap(), registryUrl = config.registryApiUrl();
        Path workDir = config.workDir();
        Files.createDirectories(workDir);
        DatasetCopies datasets = new DatasetCopies(storage, new TopicReader(bootstrap, registryUrl), 4);
        context = new JobContext(state, new TrainingData(storage, datasets),
                new CheckpointStore(storage, workDir.resolve("checkpoint-cache")), storage, reports, events, workDir,
                config.trainer().checkpointEvery(), config.trainer().evalDuringNextIteration(),
                positive(config.trainer().sampleBatch(), "spin.trainer.sample-batch"), new WarmPolicy());
    }

    private static int positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
        return value;
    }

    void indexLoaded(@Observes ControlReplay.IndexLoaded loaded) {
        index = loaded.index();
    }

    @Incoming("control")
    @Blocking
    public CompletionStage<Void> follow(Message<Object> record) {
        return replay.follow(record, this::apply);
    }

    private void apply(ControlEvent event, boolean replaying) {
        if (index.ended(event.getRunId())) {
            return; // the tail of a history that ended before this start
        }
        state.apply(event);
        if (!replaying) {
            schedule();
        }
    }

    void caughtUp(@Observes ControlReplay.CaughtUp caughtUp) {
        LOG.infof("control log replayed; pending training jobs: %s", state.pending());
        schedule();
    }

    /** Ready once the control log has been replayed. */
    public boolean ready() {
        return replay.isCaughtUp();
    }

    private synchronized void schedule() {
        done.removeIf(job -> !state.open(job.runId())); // its run ended: the job is never asked for again
        for (TrainerState.Job job : state.pending()) {
            if (!done.contains(job) && queued.add(job)) {
                trainingThread.execute(() -> execute(job)); // execute, not submit: an Error reaches FatalErrors
            }
        }
    }

    private void execute(TrainerState.Job job) {
        try {
            if (state.isCancelled(job.runId())) {
                return;
            }
            LOG.infof("training %s of run %s", job.sft() ? "SFT" : "SPIN iteration " + job.iteration(), job.runId());
            runWithRetries(job);
        } catch (JobContext.Cancelled e) {
            LOG.infof("%s; training stopped", e.getMessage());
        } catch (Exception | Error e) {
            LOG.errorf(e, "training job %s failed", job);
            String reason = (job.sft() ? "SFT" : "SPIN iteration " + job.iteration()) + " training failed: " + e.getMessage();
            try {
                reports.publish(events.of(job.runId(), RunFailed.newBuilder().setReason(reason).setComponent("trainer")
                        .setIteration(job.sft() ? null : job.iteration()).build()));
            } catch (RuntimeException publishFailure) {
                LOG.errorf(publishFailure, "could not report the failure of %s", job);
            }
        } finally {
            synchronized (this) {
                done.add(job);
                queued.remove(job);
            }
        }
    }

    /**
     * A job that fails for a reason that may pass (object storage or the broker away longer than their own retries)
     * is run again after a pause, resuming from its in-iteration checkpoint; any other failure fails the run at once.
     */
    private void runWithRetries(TrainerState.Job job) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                if (job.sft()) {
                    new SftJob(context).run(job.runId());
                } else {
                    new SpinJob(context).run(job.runId(), job.iteration());
                }
                return;
            } catch (Exception e) {
                if (attempt >= config.trainer().jobAttempts() || !Transient.isTransient(e) || state.isCancelled(job.runId())) {
                    throw e;
                }
                long pause = config.trainer().retryPause().toMillis() * attempt;
                LOG.warnf("training job %s failed (attempt %d of %d); trying again in %d s: %s", job, attempt, config.trainer().jobAttempts(), pause / 1000, e);
                Thread.sleep(pause);
            }
        }
    }

    @PreDestroy
    void stop() {
        trainingThread.shutdownNow();
        if (context != null) {
            context.warm().close();
        }
    }
}
