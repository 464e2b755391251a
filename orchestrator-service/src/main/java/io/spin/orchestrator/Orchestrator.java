package io.spin.orchestrator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.spin.commons.ControlEvents;
import io.spin.commons.DatasetCopies;
import io.spin.commons.kafka.ControlLogFollower;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.commons.kafka.DeadLetters;
import io.spin.commons.kafka.TopicReader;
import io.spin.storage.ObjectStorage;
import io.spin.contract.CancelRequested;
import io.spin.contract.ControlEvent;
import io.spin.contract.GenerationRequest;
import io.spin.contract.IterationStarted;
import io.spin.contract.Keys;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunConfig;
import io.spin.contract.RunRequested;
import io.spin.contract.SftRequested;
import io.spin.contract.SpinTopic;
import io.spin.data.Example;

/**
 * Owns the run state machine. State is a fold of the control log (replayed in full at start); every decision is
 * {@link NextStep#of} that state, written in ONE Kafka transaction (an iteration's IterationStarted together with all
 * its generation requests), so a crash leaves either all of a step or none of it, and a restart never repeats one.
 */
@ApplicationScoped
public class Orchestrator {
    private static final Logger LOG = Logger.getLogger(Orchestrator.class.getName());

    @Inject
    ObjectStorage storage;
    @Inject
    ControlEvents events;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "spin.registry-url")
    String registryUrl;
    @ConfigProperty(name = "spin.data-dir", defaultValue = ".")
    Path dataDir;
    @ConfigProperty(name = "spin.orchestrator.transactional-id", defaultValue = "spin-orchestrator")
    String transactionalId;

    private final Map<String, RunView> runs = new LinkedHashMap<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "orchestrator-retry"));
    private KafkaProducer<String, Object> producer;
    private ControlLogFollower follower;
    private DatasetCopies copies;
    private volatile DeadLetters deadLetters;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        Map<String, Object> config = new HashMap<>(ControlPublisher.producerConfig(bootstrap, registryUrl));
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId); // a restarted orchestrator fences its predecessor
        producer = new KafkaProducer<>(config);
        producer.initTransactions();
        copies = new DatasetCopies(storage, new TopicReader(bootstrap, registryUrl), 4);
        follower = new ControlLogFollower(bootstrap, registryUrl, "orchestrator", new ControlLogFollower.Handler() {
            @Override
            public void apply(ControlEvent event, boolean replay) {
                synchronized (Orchestrator.this) {
                    runs.computeIfAbsent(event.getRunId(), RunView::new).apply(event);
                    if (!replay) {
                        advance(event.getRunId());
                    }
                }
            }

            @Override
            public void caughtUp() {
                LOG.info("control log replayed: " + runs.size() + " runs");
                advanceAll();
            }

            @Override
            public void undecodable(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r, Exception error) {
                // the orchestrator owns the control topic: it alone dead-letters what does not decode there
                if (deadLetters == null) {
                    deadLetters = new DeadLetters(bootstrap, registryUrl, events.producerId());
                }
                deadLetters.publish(r.topic(), r.partition(), r.offset(), r.key() == null ? null
                        : r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), r.value(), error);
            }
        });
        follower.start();
        // a step that failed (broker away, say) is tried again
        retries.scheduleWithFixedDelay(this::advanceAll, 5, 5, TimeUnit.SECONDS);
    }

    public boolean ready() {
        return follower != null && follower.isCaughtUp() && follower.isAlive();
    }

    /** Validates, loads the datasets and records RunRequested; the run then advances by itself. */
    public synchronized RunView submit(RunRequest request) {
        if (!ready()) {
            throw new IllegalStateException("the orchestrator is still replaying the control log; try again shortly");
        }
        RunConfig.Builder config = RunRequestValidator.validate(request);
        DatasetPublisher datasets = new DatasetPublisher(dataDir, storage, copies, events.producerId());
        DatasetPublisher.Loaded train = datasets.load("trainDataset", request.trainDataset());
        config.setTrainDatasetId(train.datasetId()).setTrainPromptCount(train.examples().size()).setTrainDataset(train.copy());
        List<ProducerRecord<String, Object>> data = new ArrayList<>(train.records());
        if (request.evalDataset() != null && !request.evalDataset().isBlank()) {
            DatasetPublisher.Loaded eval = datasets.load("evalDataset", request.evalDataset());
            config.setEvalDatasetId(eval.datasetId()).setEvalPromptCount(eval.examples().size()).setEvalDataset(eval.copy());
            data.addAll(eval.records());
        }
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 13).replace("-", "");
        // the datasets and RunRequested in one transaction: a run never exists with half its data
        transaction(List.of(events.of(runId, RunRequested.newBuilder().setConfig(config.build()).setRequestedBy(request.requestedBy()).build())),
                data);
        advance(runId);
        return runs.get(runId);
    }

    public synchronized boolean cancel(String runId) {
        RunView run = runs.get(runId);
        if (run == null) {
            return false;
        }
        if (!run.ended() && !run.cancelRequested) {
            transaction(List.of(events.of(runId, CancelRequested.newBuilder().build())), List.of());
            advance(runId);
        }
        return true;
    }

    public synchronized RunView run(String runId) {
        return runs.get(runId);
    }

    public synchronized Collection<RunView> all() {
        return new ArrayList<>(runs.values());
    }

    private synchronized void advanceAll() {
        if (ready()) {
            new ArrayList<>(runs.keySet()).forEach(this::advance);
        }
    }

    /** Takes the run's next steps until it has to wait for another service. */
    private void advance(String runId) {
        RunView run = runs.get(runId);
        if (run == null || !ready()) {
            return;
        }
        try {
            for (NextStep step = NextStep.of(run); !(step instanceof NextStep.Wait); step = NextStep.of(run)) {
                execute(run, step);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "run " + runId + ": next step failed, will retry", e);
        }
    }

    private void execute(RunView run, NextStep step) {
        String id = run.runId;
        if (step instanceof NextStep.RequestSft) {
            transaction(List.of(events.of(id, SftRequested.newBuilder().build())), List.of());
        } else if (step instanceof NextStep.End end) {
            transaction(List.of(events.of(id, RunCompleted.newBuilder().setStatus(end.status()).setStopReason(end.reason())
                    .setIterationsCompleted((int) run.iterations.values().stream().filter(i -> i.checkpoint != null).count())
                    .setFinalCheckpoint(end.finalCheckpoint()).build())), List.of());
        } else if (step instanceof NextStep.StartIteration start) {
            RunConfig c = run.config;
            int t = start.iteration();
            List<Example> dataset = copies.examples(c.getTrainDataset(), c.getTrainDatasetId(), c.getTrainPromptCount());
            ControlEvent started = events.of(id, IterationStarted.newBuilder().setIteration(t).setPolicy(start.policy())
                    .setPromptCount(dataset.size()).setSamplesPerPrompt(c.getSamplesPerPrompt())
                    .setExpectedPairs(dataset.size() * c.getSamplesPerPrompt())
                    .setBeta(RunRequestValidator.perIteration(c.getBetas(), t))
                    .setLearningRate(RunRequestValidator.perIteration(c.getLearningRates(), t)).build());
            List<ProducerRecord<String, Object>> requests = new ArrayList<>();
            for (Example e : dataset) {
                for (int s = 0; s < c.getSamplesPerPrompt(); s++) {
                    requests.add(new ProducerRecord<>(SpinTopic.GENERATION_REQUESTS.topicName(), Keys.sample(id, t, e.id(), s),
                            GenerationRequest.newBuilder().setRunId(id).setIteration(t).setDatasetId(c.getTrainDatasetId())
                                    .setPromptId(e.id()).setSampleIndex(s).setPrompt(e.prompt()).setPolicy(start.policy())
                                    .setSampling(c.getSampling()).setMaxPromptTokens(c.getMaxPromptTokens())
                                    .setSeed(seed(c.getSeed(), t, e.id(), s)).setProducerId(events.producerId()).build()));
                }
            }
            transaction(List.of(started), requests);
            LOG.info("run " + id + ": iteration " + t + " started, " + requests.size() + " generation requests");
        }
    }

    /** Writes the events (and records) atomically, then applies the events to the state right away. */
    private void transaction(List<ControlEvent> control, List<ProducerRecord<String, Object>> records) {
        try {
            producer.beginTransaction();
            records.forEach(producer::send);
            for (ControlEvent e : control) {
                producer.send(new ProducerRecord<>(SpinTopic.CONTROL.topicName(), e.getRunId(), e));
            }
            producer.commitTransaction();
        } catch (RuntimeException e) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            throw e;
        }
        control.forEach(e -> runs.computeIfAbsent(e.getRunId(), RunView::new).apply(e));
    }

    /** Each (iteration, prompt, sample) gets its own seed, a pure function of the run's seed. */
    static long seed(long runSeed, int iteration, String promptId, int sample) {
        long mixed = runSeed;
        mixed = mixed * 6364136223846793005L + iteration;
        mixed = mixed * 6364136223846793005L + promptId.hashCode();
        mixed = mixed * 6364136223846793005L + sample;
        return new SplittableRandom(mixed).nextLong();
    }

    @PreDestroy
    void stop() {
        retries.shutdownNow();
        if (follower != null) {
            follower.close();
        }
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
        }
        if (deadLetters != null) {
            deadLetters.close();
        }
    }
}
