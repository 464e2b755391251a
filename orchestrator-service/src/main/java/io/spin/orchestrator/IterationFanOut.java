package io.spin.orchestrator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.kafka.clients.producer.ProducerRecord;

import io.spin.commons.ChatTurns;
import io.spin.commons.ControlEvents;
import io.spin.commons.DatasetCopies;
import io.spin.contract.GenerationRequest;
import io.spin.contract.GenerationProgress;
import io.spin.contract.IterationStarted;
import io.spin.contract.Keys;
import io.spin.contract.PartitionOffsets;
import io.spin.contract.RunConfig;
import io.spin.contract.SpinTopic;
import io.spin.data.Example;
import io.spin.data.SampleSeeds;

/**
 * Starts iteration t: one generation request per (prompt, sample), built and written chunk by chunk, each chunk its own
 * transaction, and IterationStarted last. The first chunk opens with a GenerationProgress of 0 that notes where the
 * pairs and samples topics end: nothing of the iteration can lie before, so a reader of the iteration starts there. Memory and each transaction follow the chunk, not the dataset; a crash part
 * way leaves no IterationStarted, so the iteration starts again and the repeated requests are harmless (same keys,
 * same seeds).
 */
final class IterationFanOut {
    private final DatasetCopies datasets;
    private final ControlEvents events;
    private final int chunkSize;
    private final Consumer<List<ProducerRecord<String, Object>>> write;
    private final Function<SpinTopic, List<PartitionOffsets>> ends;

    /** @param ends the end offset of every partition of a topic */
    IterationFanOut(DatasetCopies datasets, ControlEvents events, int chunkSize, Consumer<List<ProducerRecord<String, Object>>> write,
                    Function<SpinTopic, List<PartitionOffsets>> ends) {
        this.ends = ends;
        this.datasets = datasets;
        this.events = events;
        this.chunkSize = chunkSize;
        this.write = write;
    }

    /** Requests written, or -1 when the run was cancelled part way (no IterationStarted then). */
    int start(String runId, RunConfig c, NextStep.StartIteration start, BooleanSupplier cancelled) {
        int t = start.iteration();
        Requests requests = new Requests(runId, c, start, cancelled);
        requests.chunk.add(Orchestrator.control(events.of(runId, GenerationProgress.newBuilder().setIteration(t).setReceived(0)
                .setExpected(c.getTrainPromptCount() * c.getSamplesPerPrompt())
                .setPairsFrom(ends.apply(SpinTopic.PAIRS)).setSamplesFrom(ends.apply(SpinTopic.SAMPLES)).build())));
        int prompts;
        try {
            if (c.getTrainDataset() != null) {
                // streamed from the run's copy: memory follows one chunk, whatever the dataset's size
                prompts = datasets.forEach(c.getTrainDataset(), requests::add);
                if (prompts != c.getTrainPromptCount()) {
                    throw new IllegalStateException("dataset " + c.getTrainDatasetId() + ": " + prompts + " of " + c.getTrainPromptCount()
                            + " examples in " + c.getTrainDataset().getUri());
                }
            } else { // a run recorded before copies existed: its rows from the topic
                List<Example> dataset = datasets.examples(null, c.getTrainDatasetId(), c.getTrainPromptCount());
                dataset.forEach(requests::add);
                prompts = dataset.size();
            }
        } catch (Cancelled stop) {
            return -1;
        }
        List<ProducerRecord<String, Object>> last = requests.chunk;
        last.add(Orchestrator.control(events.of(runId, IterationStarted.newBuilder().setIteration(t).setPolicy(start.policy())
                .setPromptCount(prompts).setSamplesPerPrompt(c.getSamplesPerPrompt())
                .setExpectedPairs(prompts * c.getSamplesPerPrompt())
                .setBeta(RunRequestValidator.perIteration(c.getBetas(), t))
                .setLearningRate(RunRequestValidator.perIteration(c.getLearningRates(), t)).build())));
        write.accept(last);
        return requests.requests;
    }

    /** Thrown out of the dataset's stream when the run is cancelled part way. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super(null, null, false, false);
        }
    }

    /** One request per (prompt, sample), written a chunk (one transaction) at a time. */
    private final class Requests {
        private final String runId;
        private final RunConfig c;
        private final NextStep.StartIteration start;
        private final BooleanSupplier cancelled;
        private List<ProducerRecord<String, Object>> chunk = new ArrayList<>(chunkSize);
        private int requests;

        Requests(String runId, RunConfig c, NextStep.StartIteration start, BooleanSupplier cancelled) {
            this.runId = runId;
            this.c = c;
            this.start = start;
            this.cancelled = cancelled;
        }

        void add(Example e) {
            int t = start.iteration();
            for (int s = 0; s < c.getSamplesPerPrompt(); s++) {
                chunk.add(new ProducerRecord<>(SpinTopic.GENERATION_REQUESTS.topicName(), Keys.sample(runId, t, e.id(), s),
                        GenerationRequest.newBuilder().setRunId(runId).setIteration(t).setDatasetId(c.getTrainDatasetId())
                                .setPromptId(e.id()).setSampleIndex(s).setPrompt(e.prompt()).setContext(ChatTurns.toEvent(e.context()))
                                .setPolicy(start.policy())
                                .setSampling(c.getSampling()).setMaxPromptTokens(c.getMaxPromptTokens())
                                .setSeed(SampleSeeds.of(c.getSeed(), t, e.id(), s)).setProducerId(events.producerId()).build()));
                requests++;
                if (chunk.size() >= chunkSize) {
                    if (cancelled.getAsBoolean()) {
                        throw new Cancelled();
                    }
                    write.accept(chunk);
                    chunk = new ArrayList<>(chunkSize);
                }
            }
        }
    }
}
