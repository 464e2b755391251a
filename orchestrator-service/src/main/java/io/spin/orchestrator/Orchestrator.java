package io.spin.orchestrator;

import java.util.ArrayList;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
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
 * {@link NextStep#of} that state, written as a Kafka transaction. One ordered actor ({@link RunActor}) does both: it
 * applies each event, from the log or just written, and takes each run's next steps, one task at a time; REST, SSE
 * and metrics read the reports it publishes and never wait for it. Starting an iteration fans out its generation
 * requests in bounded chunks, each its own transaction, and only then writes IterationStarted: a crash in between
 * starts the iteration again, and the repeated requests are harmless (same keys, same seeds; the pair builder keeps
 * one pair per key). It is the control log's one writer: the other services report on topics of their own, and the
 * {@link ReportRelay} appends what {@link ReportCheck} accepts of their reports, in one transaction with the reports'
 * offsets.
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

    /** The runs' state and the steps' failures: the actor's alone. */
    private final RunActor actor = new RunActor("orchestrator");
    private final RunBook book = new RunBook();
    private final Map<String, Integer> failedAttempts = new HashMap<>();
    /** Runs queued on the actor to advance: one queued task per run is enough. */
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    /** Runs whose cancellation was written and may not be applied yet: a fan-out under way stops for it. */
    private final Set<String> cancelling = ConcurrentHashMap.newKeySet();
    private volatile boolean indexComplete;
    private FinishedRuns finishedRuns;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "orchestrator-retry"));
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
                actor.perform(() -> applied(records).forEach(Orchestrator.this::schedule));
            }
        }, this::ready).start();
        // a step that failed (broker away, say) is tried again; a generation that stalls is noticed
        retries.scheduleWithFixedDelay(this::reopenSender, 5, 5, TimeUnit.SECONDS);
        retries.scheduleWithFixedDelay(() -> actor.tell(this::advanceAll), 5, 5, TimeUnit.SECONDS);
        retries.scheduleWithFixedDelay(() -> actor.tell(this::countRuns), 1, 5, TimeUnit.SECONDS);
        retries.scheduleWithFixedDelay(this::releaseDatasets, 5, 5, TimeUnit.SECONDS);
        retries.scheduleWithFixedDelay(() -> actor.tell(this::forgetEndedRuns), 5, 5, TimeUnit.SECONDS);
    }

    void indexLoaded(@Observes ControlReplay.IndexLoaded loaded) {
        actor.perform(() -> book.indexLoaded(loaded.index()));
    }

    /**
     * The control log, replayed from the oldest open run ({@link ControlReplay}) and then followed; the orchestrator
     * owns it, so it alone dead-letters what is not a control event there.
     */
    @Incoming("control")
    @Blocking
    public CompletionStage<Void> follow(Message<Object> record) {
        return replay.followAsWriter(record, (event, replaying) -> actor.perform(() -> {
            if (book.applyFromLog(event) && !replaying) {
                schedule(event.getRunId());
            }
        }));
    }

    void caughtUp(@Observes ControlReplay.CaughtUp caughtUp) {
        actor.tell(() -> {
            LOG.infof("control log replayed: %d runs open or replayed, %d finished before", book.size(), book.finishedBefore().size());
            advanceAll();
        });
    }

    /** spin_runs{status}: the runs this orchestrator knows, open, replayed or listed by the index. */
    private void countRuns() {
        Map<RunStatus, Integer> counts = book.counts();
        for (RunStatus status : RunStatus.values()) {
            SpinMeters.RUNS.set(counts.getOrDefault(status, 0), status.name());
        }
    }

    /** Then each released run indexes its end. */
    private void releaseDatasets() {
        release.releaseEnded(actor, book, datasetPublisher(), this::write).forEach(this::schedule);
    }

    /**
     * Memory follows the open runs: beyond the {@code spin.orchestrator.ended-runs-kept} that ended last, an ended run whose end the index
     * records leaves memory, its summary staying with the other finished runs' (a report is then read from its partition).
     */
    private void forgetEndedRuns() {
        for (String runId : book.forgetEnded(config.orchestrator().endedRunsKept())) {
            failedAttempts.remove(runId);
            cancelling.remove(runId);
        }
    }

    /** Whether the run's view is in memory (an open run, or one of the last ended). */
    boolean holds(String runId) {
        return actor.ask(() -> book.inMemory(runId) != null);
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
    public String submit(RunRequest request) {
        if (!ready()) {
            throw new IllegalStateException("the orchestrator is not ready (replaying the control log, or reconnecting to Kafka); "
                    + "try again shortly");
        }
        RunConfig.Builder config = RunRequestValidator.validate(request);
        long open = actor.ask(book::open);
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
        schedule(runId);
        return runId;
    }

    /**
     * Records CancelRequested once and waits (bounded) for the run to end. Decided from the published report, not by
     * asking the actor: the actor may be deep in this run's fan-out, which the {@code cancelling} mark stops.
     */
    public boolean cancel(String runId) {
        RunReport.Report report = report(runId);
        if (report == null) {
            return false;
        }
        if ("RUNNING".equals(report.status()) && cancelling.add(runId)) {
            try {
                write(List.of(control(events.of(runId, CancelRequested.newBuilder().build()))));
            } catch (RuntimeException e) {
                cancelling.remove(runId); // not recorded: a later DELETE tries again
                throw e;
            }
            schedule(runId);
        }
        awaitEnd(runId, Duration.ofSeconds(10)); // the caller sees the run cancelled, not just asked to be
        return true;
    }

    private void awaitEnd(String runId, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            RunReport.Report report = book.report(runId);
            if (report == null || !"RUNNING".equals(report.status())) {
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

    /** Runs that ended before this start (or left memory since), as the run index summarizes them. */
    public Collection<RunSummary> finishedBefore() {
        return book.finishedBefore();
    }

    /** After a failed replacement (broker away), until it works again; not on the actor, which it could hold for long. */
    private void reopenSender() {
        if (!sender.healthy()) {
            sender.open();
        }
    }

    private void advanceAll() {
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

    /** Queues the run's next steps on the actor (once: a run already queued looks at its newest state anyway). */
    private void schedule(String runId) {
        if (scheduled.add(runId)) {
            actor.tell(() -> {
                scheduled.remove(runId);
                advance(runId);
            });
        }
    }

    /**
     * On the actor: takes the run's next steps until it has to wait for another service. Each step's events are
     * applied as it writes them, so the next look sees them; events that arrive meanwhile queue behind, and schedule
     * the run again.
     */
    private void advance(String runId) {
        if (book.inMemory(runId) == null || !ready()) {
            return;
        }
        try {
            NextStep step = book.nextStep(runId, Instant.now());
            while (step != null && !(step instanceof NextStep.Wait) && execute(runId, step)) {
                step = book.nextStep(runId, Instant.now());
            }
            RunSummary entry = book.read(runId, book::dueIndexEntry);
            if (entry != null) {
                write(List.of(RunIndex.entry(entry))); // it ended (and its datasets are released): later starts skip its history
            }
            failedAttempts.remove(runId);
        } catch (RuntimeException e) {
            onStepFailure(runId, e);
        }
    }

    /** A step that keeps failing fails its run with the reason, instead of being retried forever. */
    private void onStepFailure(String runId, RuntimeException e) {
        int attempts = failedAttempts.merge(runId, 1, Integer::sum);
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

    /** Takes the step; false when it stopped part way for a cancellation not applied yet (the run looks again then). */
    private boolean execute(String runId, NextStep step) {
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
            return startIteration(runId, start);
        }
        return true;
    }

    private boolean startIteration(String runId, NextStep.StartIteration start) {
        RunView run = book.inMemory(runId);
        int sent = new IterationFanOut(copies, events, config.orchestrator().fanOutChunk(), this::write, topics::endOffsets).start(runId, run.config, start,
                () -> cancelling.contains(runId) || run.cancelRequested || run.ended());
        if (sent >= 0) {
            LOG.infof("run %s: iteration %d started, %d generation requests", runId, start.iteration(), sent);
        }
        return sent >= 0;
    }

    /** What to write for one service's report: the control event it becomes, a dead letter, or nothing (see {@link ReportCheck}). */
    private List<ProducerRecord<String, Object>> judge(ServicePrincipal reporter, ConsumerRecord<String, byte[]> record, ControlEvent report,
                                                       RuntimeException undecodable) {
        if (undecodable != null) {
            return List.of(DeadLetters.record(record, undecodable, events.producerId()));
        }
        return ReportCheck.records(actor.ask(() -> book.check(reporter, record.key(), report)), reporter, record, events.producerId());
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
        if (!book.finished(runId)) {
            return null;
        }
        RunView view = finishedRuns.load(runId); // ended before this start: a view built once and not changed after
        return view.config == null ? null : RunReport.of(view);
    }

    /** The reports of the runs replayed or started since this start. */
    public Collection<RunReport.Report> reports() {
        return book.reports();
    }

    static ProducerRecord<String, Object> control(ControlEvent event) {
        return new ProducerRecord<>(SpinTopic.CONTROL.topicName(), event.getRunId(), event);
    }

    /**
     * Writes the records atomically, then has the actor apply the control events and index entries among them right
     * away (at once, on the actor).
     */
    private void write(List<ProducerRecord<String, Object>> records) {
        if (records.isEmpty()) {
            return;
        }
        sender.send(records);
        actor.perform(() -> applied(records));
    }

    /** On the actor: applies what was just written; returns the runs whose log it changed. */
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
        actor.close();
        if (relay != null) {
            relay.close();
        }
        if (sender != null) {
            sender.close();
        }
    }
}
