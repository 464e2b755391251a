package io.spin.orchestrator;

import java.util.ArrayList;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.common.annotation.Blocking;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import io.spin.commons.ControlEvents;
import io.spin.commons.DatasetCopies;
import io.spin.commons.kafka.DeadLetters;
import io.spin.commons.kafka.RunIndex;
import io.spin.commons.kafka.TopicReader;
import io.spin.messaging.ControlReplay;
import io.spin.storage.ObjectStorage;
import io.spin.contract.CancelRequested;
import io.spin.contract.Limits;
import io.spin.contract.ControlEvent;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunConfig;
import io.spin.contract.RunFailed;
import io.spin.contract.RunRequested;
import io.spin.contract.RunStatus;
import io.spin.commons.SpinMeters;
import io.spin.contract.RunSummary;
import io.spin.contract.ServicePrincipal;
import io.spin.contract.SftRequested;
import io.spin.contract.SpinTopic;

/**
 * Owns the run state machine. State is a fold of the control log, replayed at start from the oldest open run (the run
 * index, which the orchestrator alone writes, lists the others; their views are read on demand); every decision is
 * {@link NextStep#of} that state, taken by one worker per run at a time and written as a Kafka transaction. Starting
 * an iteration fans out its generation requests in bounded chunks, each its own transaction, and only then writes
 * IterationStarted: a crash in between starts the iteration again, and the repeated requests are harmless (same keys,
 * same seeds; the pair builder keeps one pair per key). No lock is held while sending, so reads never wait on Kafka.
 * It is the control log's one writer: the other services report on topics of their own, and the {@link ReportRelay}
 * appends what {@link ReportCheck} accepts of their reports, in one transaction with the reports' offsets.
 */
@ApplicationScoped
public class Orchestrator {
    private static final Logger LOG = Logger.getLogger(Orchestrator.class);

    @Inject
    ObjectStorage storage;
    @Inject
    ControlEvents events;
    @Inject
    OrchestratorConfig config;
    @Inject
    ControlReplay replay;

    /** The runs' state; this object's own lock guards only who works on which run ({@link #advance}). */
    private final RunBook book = new RunBook();
    private final Set<String> busy = new HashSet<>();
    private final Set<String> again = new HashSet<>();
    private final Map<String, Integer> failedAttempts = new HashMap<>();
    private volatile boolean indexComplete;
    private FinishedRuns finishedRuns;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "orchestrator-retry"));
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> new Thread(r, "orchestrator-step"));
    private TransactionalSender sender;
    private ReportRelay relay;
    private DatasetCopies copies;
    private TopicReader topics;
    private final DatasetRelease release = new DatasetRelease();

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        String bootstrap = config.kafkaBootstrap(), registryUrl = config.registryApiUrl();
        String transactionalId = config.orchestrator().transactionalId();
        sender = new TransactionalSender(bootstrap, registryUrl, transactionalId);
        sender.open();
        topics = new TopicReader(bootstrap, registryUrl);
        copies = new DatasetCopies(storage, topics, 1); // parsed lists only for runs older than copies
        finishedRuns = new FinishedRuns(new TopicReader(bootstrap, registryUrl), 256);
        relay = new ReportRelay(bootstrap, registryUrl, transactionalId + "-reports", new ReportRelay.Judge() {
            @Override
            public List<ProducerRecord<String, Object>> judge(ServicePrincipal reporter, ConsumerRecord<String, byte[]> record,
                                                              ControlEvent report, RuntimeException undecodable) {
                return Orchestrator.this.judge(reporter, record, report, undecodable);
            }

            @Override
            public void commit(List<ProducerRecord<String, Object>> records, Map<TopicPartition, OffsetAndMetadata> offsets,
                               ConsumerGroupMetadata group) {
                sender.send(records, offsets, group);
                applied(records).forEach(Orchestrator.this::schedule);
            }
        }, this::ready).start();
        // a step that failed (broker away, say) is tried again; a generation that stalls is noticed
        retries.scheduleWithFixedDelay(this::advanceAll, 5, 5, TimeUnit.SECONDS);
        retries.scheduleWithFixedDelay(this::countRuns, 1, 5, TimeUnit.SECONDS);
        retries.scheduleWithFixedDelay(this::releaseDatasets, 5, 5, TimeUnit.SECONDS);
        retries.scheduleWithFixedDelay(this::forgetEndedRuns, 5, 5, TimeUnit.SECONDS);
    }

    void indexLoaded(@Observes ControlReplay.IndexLoaded loaded) {
        book.indexLoaded(loaded.index());
    }

    /**
     * The control log, replayed from the oldest open run ({@link ControlReplay}) and then followed; the orchestrator
     * owns it, so it alone dead-letters what is not a control event there.
     */
    @Incoming("control")
    @Blocking
    public CompletionStage<Void> follow(Message<Object> record) {
        return replay.followAsWriter(record, (event, replaying) -> {
            if (book.applyFromLog(event) && !replaying) {
                schedule(event.getRunId());
            }
        });
    }

    void caughtUp(@Observes ControlReplay.CaughtUp caughtUp) {
        LOG.infof("control log replayed: %d runs open or replayed, %d finished before", book.size(), book.finishedBefore().size());
        workers.execute(this::advanceAll); // execute, not submit: an Error reaches FatalErrors
    }

    /** spin_runs{status}: the runs this orchestrator knows, open, replayed or listed by the index. */
    private void countRuns() {
        Map<RunStatus, Integer> counts = book.counts();
        for (RunStatus status : RunStatus.values()) {
            SpinMeters.RUNS.set(counts.getOrDefault(status, 0), status.name());
        }
    }

    private void releaseDatasets() {
        release.releaseEnded(book, datasetPublisher(), this::write);
    }

    /**
     * Memory follows the open runs: beyond the {@code spin.orchestrator.ended-runs-kept} that ended last, an ended run whose end the index
     * records leaves memory, its summary staying with the other finished runs' (a report is then read from its partition).
     */
    private void forgetEndedRuns() {
        List<String> gone = book.forgetEnded(config.orchestrator().endedRunsKept());
        synchronized (this) {
            gone.forEach(failedAttempts::remove);
        }
    }

    /** Whether the run's view is in memory (an open run, or one of the last ended). */
    boolean holds(String runId) {
        return book.inMemory(runId) != null;
    }

    /** Ready once the log is replayed, every run it holds is in the run index, and the transactional producer is usable. */
    public boolean ready() {
        return replay.isCaughtUp() && sender != null && sender.healthy() && indexComplete
                && relay != null && relay.isAlive();
    }

    private DatasetPublisher datasetPublisher() {
        return new DatasetPublisher(config.dataDir(), storage, copies, events.producerId(), config.orchestrator().fanOutChunk());
    }

    /** Validates, loads the datasets and records RunRequested; the run then advances by itself. */
    public RunView submit(RunRequest request) {
        if (!ready()) {
            throw new IllegalStateException("the orchestrator is not ready (replaying the control log, or reconnecting to Kafka); "
                    + "try again shortly");
        }
        RunConfig.Builder config = RunRequestValidator.validate(request);
        long open = book.open();
        if (open >= Limits.OPEN_RUNS) {
            throw new InvalidRunRequest("runs", open + " runs are open, the limit of one installation (OPEN_RUNS = " + Limits.OPEN_RUNS
                    + "); wait for one to end or cancel one");
        }
        StartingModels.check(storage, config.getSftCheckpoint(), "sftCheckpoint", config.getMaxPromptTokens(), config.getMaxResponseTokens());
        StartingModels.check(storage, config.getBaseModel(), "baseModel", config.getMaxPromptTokens(), config.getMaxResponseTokens());
        DatasetPublisher datasets = datasetPublisher();
        DatasetPublisher.Loaded train = datasets.load("trainDataset", request.trainDataset());
        config.setTrainDatasetId(train.datasetId()).setTrainPromptCount(train.examples()).setTrainDataset(train.copy());
        DatasetPublisher.Loaded eval = null;
        if (request.evalDataset() != null && !request.evalDataset().isBlank()) {
            eval = datasets.load("evalDataset", request.evalDataset());
            config.setEvalDatasetId(eval.datasetId()).setEvalPromptCount(eval.examples()).setEvalDataset(eval.copy());
        }
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 13).replace("-", "");
        // the datasets first, in transactions of bounded size (other runs' writes go on between them), then RunRequested
        // and the run's index entry in one transaction: a crash part way leaves no run, only rows written again next time
        DatasetPublisher.Loaded evalSet = eval;
        release.exclusive(() -> { // a dataset being forgotten gets this run's rows after its tombstones
            long started = System.nanoTime();
            int rows = datasets.publish(train, this::write) + (evalSet == null ? 0 : datasets.publish(evalSet, this::write));
            LOG.infof("run %s: %d dataset rows published in %d ms", runId, rows, (System.nanoTime() - started) / 1_000_000);
            RunConfig built = config.build();
            ControlEvent requested = events.of(runId, RunRequested.newBuilder().setConfig(built).setRequestedBy(request.requestedBy()).build());
            List<ProducerRecord<String, Object>> data = new ArrayList<>();
            data.add(control(requested));
            data.add(RunIndex.entry(RunSummary.newBuilder().setRunId(runId).setStatus(RunStatus.RUNNING)
                    .setRequestedAt(requested.getTimestamp()).setIterations(built.getIterations()).build()));
            write(data);
        });
        advance(runId);
        return run(runId);
    }

    public boolean cancel(String runId) {
        if (run(runId) == null) {
            return false;
        }
        if (Boolean.TRUE.equals(book.read(runId, r -> !r.ended() && !r.cancelRequested))) {
            write(List.of(control(events.of(runId, CancelRequested.newBuilder().build()))));
            advance(runId);
            awaitEnd(runId, Duration.ofSeconds(10)); // the caller sees the run cancelled, not just asked to be
        }
        return true;
    }

    private void awaitEnd(String runId, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            if (!Boolean.FALSE.equals(book.read(runId, RunView::ended))) {
                return; // ended, or gone from memory (which only ended runs leave)
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The run, or null when there is no such run; a run that ended before this start is read on demand. */
    public RunView run(String runId) {
        RunView view = book.inMemory(runId);
        if (view != null || !book.finished(runId)) {
            return view;
        }
        return finishedRuns.load(runId);
    }

    /** Runs that ended before this start (or left memory since), as the run index summarizes them. */
    public Collection<RunSummary> finishedBefore() {
        return book.finishedBefore();
    }

    private void advanceAll() {
        if (!sender.healthy()) {
            sender.open(); // after a failed replacement (broker away), until it works again
        }
        if (replay.isCaughtUp() && !indexComplete) {
            indexReplayedRuns();
        }
        if (ready()) {
            book.toAdvance().forEach(this::schedule);
        }
    }

    /**
     * After the replay: every run it found that the index does not list as it is (all of them, the first time a log
     * written before the index existed is replayed) is indexed in ONE transaction, so an index is never partial.
     */
    private void indexReplayedRuns() {
        List<ProducerRecord<String, Object>> entries = book.staleIndexEntries().stream().map(RunIndex::entry).toList();
        try {
            write(entries);
            indexComplete = true;
            if (!entries.isEmpty()) {
                LOG.infof("run index: %d runs indexed after the replay", entries.size());
            }
        } catch (RuntimeException e) {
            LOG.warn("could not write the run index yet; retrying", e);
        }
    }

    private void schedule(String runId) {
        workers.execute(() -> advance(runId));
    }

    /**
     * Takes the run's next steps until it has to wait for another service. One caller per run at a time: a call
     * while another is at work makes that one look again before it stops, so no event is left unanswered.
     */
    private void advance(String runId) {
        if (book.inMemory(runId) == null || !ready()) {
            return;
        }
        synchronized (this) {
            if (!busy.add(runId)) {
                again.add(runId);
                return;
            }
        }
        try {
            while (true) {
                NextStep step = book.nextStep(runId, Instant.now());
                if (step == null) {
                    break; // it left memory meanwhile (ended long ago)
                }
                synchronized (this) {
                    if (step instanceof NextStep.Wait && !again.remove(runId)) {
                        break;
                    }
                }
                if (!(step instanceof NextStep.Wait)) {
                    execute(runId, step);
                }
            }
            RunSummary entry = book.read(runId, r -> book.indexStale(r) ? r.summary() : null);
            if (entry != null) {
                write(List.of(RunIndex.entry(entry))); // it ended: later starts skip its history
            }
            synchronized (this) {
                failedAttempts.remove(runId);
            }
        } catch (RuntimeException e) {
            onStepFailure(runId, e);
        } finally {
            synchronized (this) {
                busy.remove(runId);
            }
        }
    }

    /** A step that keeps failing fails its run with the reason, instead of being retried forever. */
    private void onStepFailure(String runId, RuntimeException e) {
        int attempts;
        synchronized (this) {
            attempts = failedAttempts.merge(runId, 1, Integer::sum);
        }
        if (attempts < config.orchestrator().stepAttempts()) {
            LOG.warnf(e, "run %s: next step failed (attempt %d of %d), will retry", runId, attempts, config.orchestrator().stepAttempts());
            return;
        }
        LOG.errorf(e, "run %s: next step failed %d times; failing the run", runId, attempts);
        try {
            write(List.of(control(events.of(runId, RunFailed.newBuilder().setComponent("orchestrator")
                    .setReason("the orchestrator could not take the run's next step after " + attempts + " attempts: " + e.getMessage())
                    .build()))));
        } catch (RuntimeException writeFailure) {
            LOG.warnf(writeFailure, "run %s: could not record the failure yet", runId);
        }
    }

    private void execute(String runId, NextStep step) {
        if (step instanceof NextStep.RequestSft) {
            write(List.of(control(events.of(runId, SftRequested.newBuilder().build()))));
        } else if (step instanceof NextStep.End end) {
            int done = book.read(runId, r -> (int) r.iterations.values().stream().filter(i -> i.checkpoint != null).count());
            write(List.of(control(events.of(runId, RunCompleted.newBuilder().setStatus(end.status()).setStopReason(end.reason())
                    .setIterationsCompleted(done).setFinalCheckpoint(end.finalCheckpoint()).build()))));
        } else if (step instanceof NextStep.Fail fail) {
            write(List.of(control(events.of(runId, RunFailed.newBuilder().setComponent("orchestrator").setReason(fail.reason())
                    .setIteration(fail.iteration()).build()))));
        } else if (step instanceof NextStep.StartIteration start) {
            startIteration(runId, start);
        }
    }

    private void startIteration(String runId, NextStep.StartIteration start) {
        RunView run = run(runId);
        int sent = new IterationFanOut(copies, events, config.orchestrator().fanOutChunk(), this::write, topics::endOffsets).start(runId, run.config, start,
                () -> !Boolean.FALSE.equals(book.read(runId, r -> r.cancelRequested || r.ended())));
        if (sent >= 0) {
            LOG.infof("run %s: iteration %d started, %d generation requests", runId, start.iteration(), sent);
        }
    }

    /** What to write for one service's report: the control event it becomes, a dead letter, or nothing (see {@link ReportCheck}). */
    private List<ProducerRecord<String, Object>> judge(ServicePrincipal reporter, ConsumerRecord<String, byte[]> record, ControlEvent report,
                                                       RuntimeException undecodable) {
        if (undecodable != null) {
            return List.of(DeadLetters.record(record, undecodable, events.producerId()));
        }
        return ReportCheck.records(book.check(reporter, record.key(), report), reporter, record, events.producerId());
    }

    /**
     * Tells {@code follower} of each report the run gets from now on (on the thread that applied the event: it must
     * not block); returns what stops it.
     */
    public Runnable follow(String runId, java.util.function.Consumer<RunReport.Report> follower) {
        return book.follow(runId, follower);
    }

    /** The run's report, or null when there is no such run; a run that ended before this start is read on demand. */
    public RunReport.Report report(String runId) {
        RunReport.Report report = book.report(runId);
        if (report != null) {
            return report;
        }
        RunView view = run(runId); // ended before this start: a view built once and not changed after
        return view == null || view.config == null ? null : RunReport.of(view);
    }

    /** The reports of the runs replayed or started since this start. */
    public Collection<RunReport.Report> reports() {
        return book.reports();
    }

    static ProducerRecord<String, Object> control(ControlEvent event) {
        return new ProducerRecord<>(SpinTopic.CONTROL.topicName(), event.getRunId(), event);
    }

    /** Writes the records atomically, then applies the control events and index entries among them right away. */
    private void write(List<ProducerRecord<String, Object>> records) {
        if (records.isEmpty()) {
            return;
        }
        sender.send(records);
        applied(records);
    }

    /** Applies what was just written; returns the runs whose log it changed. */
    private Set<String> applied(List<ProducerRecord<String, Object>> records) {
        Set<String> changed = new java.util.LinkedHashSet<>();
        List<ControlEvent> events = new ArrayList<>();
        List<RunSummary> entries = new ArrayList<>();
        for (ProducerRecord<String, Object> r : records) {
            if (r.value() instanceof ControlEvent e) {
                events.add(e);
                changed.add(e.getRunId());
            } else if (r.value() instanceof RunSummary summary) {
                entries.add(summary);
            } else if (r.value() instanceof io.spin.contract.DeadLetter letter) {
                SpinMeters.DEAD_LETTERS.increment(1, letter.getSourceTopic());
            }
        }
        book.applyAll(events, entries);
        return changed;
    }

    @PreDestroy
    void stop() {
        retries.shutdownNow();
        workers.shutdownNow();
        if (relay != null) {
            relay.close();
        }
        if (sender != null) {
            sender.close();
        }
    }
}
