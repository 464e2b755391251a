package io.spin.pairbuilder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

import io.spin.data.SpinPair;
import io.spin.contract.GeneratedSample;
import io.spin.contract.HumanResponse;
import io.spin.contract.Keys;
import io.spin.contract.PreferencePair;

/**
 * Turns each sample into a preference pair: chosen = the human response (from the global human-responses table),
 * rejected = the sample. A sample key already paired is dropped (redelivery never makes a second pair). A sample
 * whose human response is not in the table yet waits in a store and is retried every second, so none is lost.
 * A paired key is remembered for as long as its request can be delivered again (the request topic's retention), then
 * forgotten, so the dedupe store follows the recent traffic, not the history.
 */
final class PairingProcessor implements Processor<String, GeneratedSample, String, PreferencePair> {
    static final Duration REMEMBER_PAIRED = io.spin.contract.SpinTopic.GENERATION_REQUESTS.retention();
    static final Duration FORGET_EVERY = Duration.ofMinutes(10);
    private final String producerId;
    private ProcessorContext<String, PreferencePair> context;
    private KeyValueStore<String, ValueAndTimestamp<HumanResponse>> humans;
    private KeyValueStore<String, Long> seen;
    private KeyValueStore<String, GeneratedSample> pending;

    PairingProcessor(String producerId) {
        this.producerId = producerId;
    }

    @Override
    public void init(ProcessorContext<String, PreferencePair> context) {
        this.context = context;
        this.humans = context.getStateStore(PairTopology.HUMAN_STORE);
        this.seen = context.getStateStore(PairTopology.SEEN_STORE);
        this.pending = context.getStateStore(PairTopology.PENDING_STORE);
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> retryPending());
        context.schedule(FORGET_EVERY, PunctuationType.WALL_CLOCK_TIME, this::forgetOldKeys);
    }

    @Override
    public void process(Record<String, GeneratedSample> record) {
        GeneratedSample sample = record.value();
        if (sample == null || record.key() == null || seen.get(record.key()) != null) {
            return;
        }
        if (!tryPair(record.key(), sample, record.timestamp())) {
            pending.put(record.key(), sample);
        }
    }

    private boolean tryPair(String key, GeneratedSample sample, long timestamp) {
        ValueAndTimestamp<HumanResponse> human = humans.get(Keys.humanResponse(sample.getDatasetId(), sample.getPromptId()));
        if (human == null || human.value() == null) {
            return false;
        }
        SpinPair paired = SpinPair.of(human.value().getResponse(), sample.getText());
        PreferencePair pair = PreferencePair.newBuilder().setRunId(sample.getRunId()).setIteration(sample.getIteration())
                .setDatasetId(sample.getDatasetId()).setPromptId(sample.getPromptId()).setSampleIndex(sample.getSampleIndex())
                .setPrompt(human.value().getPrompt()).setContext(human.value().getContext()).setChosen(paired.chosen()).setRejected(paired.rejected())
                .setRejectedLogProb(sample.getLogProb()).setExactMatch(paired.exactMatch()).setSimilarity(paired.similarity()).setProducerId(producerId)
                .setRejectedTokenCount(sample.getTokenCount()).setRejectedTokenIds(sample.getTokenIds())
                .setRejectedFinishReason(sample.getFinishReason()).build();
        seen.put(key, context.currentSystemTimeMs());
        context.forward(new Record<>(key, pair, timestamp));
        return true;
    }

    private void forgetOldKeys(long now) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = seen.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value != null && now - kv.value > REMEMBER_PAIRED.toMillis()) {
                    old.add(kv.key);
                }
            });
        }
        old.forEach(seen::delete);
    }

    private void retryPending() {
        List<KeyValue<String, GeneratedSample>> waiting = new ArrayList<>();
        try (KeyValueIterator<String, GeneratedSample> it = pending.all()) {
            it.forEachRemaining(waiting::add);
        }
        for (KeyValue<String, GeneratedSample> entry : waiting) {
            if (seen.get(entry.key) != null || tryPair(entry.key, entry.value, context.currentSystemTimeMs())) {
                pending.delete(entry.key);
            }
        }
    }
}
