package io.spin.trainer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.spin.commons.kafka.DeadLetters;
import io.spin.commons.kafka.TopicReader;
import io.spin.contract.HumanResponse;
import io.spin.contract.Keys;
import io.spin.contract.PreferencePair;
import io.spin.contract.SpinTopic;
import io.spin.data.Example;

/**
 * Training data straight from the topics, which are the source of truth: a dataset from the compacted
 * human-responses table, and an iteration window's pairs from the pairs topic (one per key, whatever redeliveries
 * happened). Waits a bounded time for data still in flight, then fails naming what is missing.
 */
final class TrainingData {
    private final TopicReader reader;
    private final Duration patience;
    private final DeadLetters deadLetters;
    private final java.util.Set<String> deadLettered = java.util.concurrent.ConcurrentHashMap.newKeySet();

    TrainingData(TopicReader reader, Duration patience, DeadLetters deadLetters) {
        this.reader = reader;
        this.patience = patience;
        this.deadLetters = deadLetters;
    }

    /** The trainer alone reads the pairs topic: it dead-letters what does not decode there, once per record. */
    private void deadLetter(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r, Exception e) {
        if (deadLettered.add(r.topic() + "-" + r.partition() + "@" + r.offset())) {
            deadLetters.publish(r.topic(), r.partition(), r.offset(),
                    r.key() == null ? null : r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), r.value(), e);
        }
    }

    /** The dataset's examples in source-file line order. */
    List<Example> examples(String datasetId, int expected) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            Map<String, HumanResponse> latest = new TreeMap<>();
            reader.<Object>readAll(SpinTopic.HUMAN_RESPONSES.topicName(), r -> {
                if (r.value() instanceof HumanResponse h && h.getDatasetId().equals(datasetId)) {
                    latest.put(h.getPromptId(), h);
                }
            });
            if (latest.size() >= expected || System.nanoTime() > deadline) {
                if (latest.size() < expected) {
                    throw new IllegalStateException("dataset " + datasetId + ": " + latest.size() + " of " + expected
                            + " examples in " + SpinTopic.HUMAN_RESPONSES.topicName());
                }
                List<HumanResponse> ordered = new ArrayList<>(latest.values());
                ordered.sort(Comparator.comparingInt(HumanResponse::getSourceLine).thenComparing(HumanResponse::getPromptId));
                return ordered.stream().map(h -> new Example(h.getPromptId(), h.getPrompt(), h.getResponse(), h.getSourceFile(),
                        h.getSourceLine())).toList();
            }
            pause();
        }
    }

    /** The pairs of the run's given iterations, ordered by (iteration, promptId, sampleIndex). */
    List<PreferencePair> pairs(String runId, Map<Integer, Integer> expectedPerIteration) {
        Set<Integer> iterations = expectedPerIteration.keySet();
        int expected = expectedPerIteration.values().stream().mapToInt(Integer::intValue).sum();
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            Map<String, PreferencePair> byKey = new TreeMap<>();
            reader.<Object>readAll(SpinTopic.PAIRS.topicName(), r -> {
                if (r.value() instanceof PreferencePair p && p.getRunId().equals(runId) && iterations.contains(p.getIteration())) {
                    byKey.putIfAbsent(Keys.sample(runId, p.getIteration(), p.getPromptId(), p.getSampleIndex()), p);
                }
            }, this::deadLetter);
            if (byKey.size() >= expected || System.nanoTime() > deadline) {
                if (byKey.size() < expected) {
                    throw new IllegalStateException("run " + runId + ": " + byKey.size() + " of " + expected + " pairs of iterations "
                            + iterations + " in " + SpinTopic.PAIRS.topicName());
                }
                List<PreferencePair> ordered = new ArrayList<>(byKey.values());
                ordered.sort(Comparator.comparingInt(PreferencePair::getIteration).thenComparing(PreferencePair::getPromptId)
                        .thenComparingInt(PreferencePair::getSampleIndex));
                return ordered;
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for training data", e);
        }
    }
}
