package io.spin.commons.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongConsumer;

import io.spin.commons.PairSnapshot;
import io.spin.data.Sha256;
import io.spin.contract.ControlEvent;
import io.spin.contract.IterationStarted;
import io.spin.contract.Keys;
import io.spin.contract.PairsCompleted;
import io.spin.contract.PreferencePair;
import io.spin.contract.SpinTopic;

/**
 * Rebuilds iterations' pair datasets from the pairs topic alone (the source of truth) with the same writer the pair
 * builder used, and compares each with the snapshot digest recorded in its PairsCompleted event.
 */
public final class PairReplay {
    private final TopicReader reader;

    public PairReplay(TopicReader reader) {
        this.reader = reader;
    }

    /** One rebuilt iteration, and what its PairsCompleted recorded (null fields when none was recorded). */
    public record Result(String runId, int iteration, List<PreferencePair> pairs, byte[] jsonl, String sha256,
                         PairsCompleted recorded) {
        public boolean identical() {
            return recorded != null && recorded.getSnapshot().getSha256().equals(sha256);
        }

        /** Keys in the rebuilt dataset that the recorded snapshot lacks (+) or has extra (-), from its JSONL. */
        public List<String> differences(byte[] recordedJsonl) {
            Set<String> rebuilt = keys(jsonl);
            Set<String> snapshot = keys(recordedJsonl);
            List<String> out = new ArrayList<>();
            rebuilt.stream().filter(k -> !snapshot.contains(k)).forEach(k -> out.add("+ " + k));
            snapshot.stream().filter(k -> !rebuilt.contains(k)).forEach(k -> out.add("- " + k));
            return out;
        }

        private static Set<String> keys(byte[] jsonl) {
            Set<String> keys = new TreeSet<>();
            for (String line : new String(jsonl, StandardCharsets.UTF_8).split("\n")) {
                int p = line.indexOf("\"promptId\":");
                int s = line.indexOf("\"sampleIndex\":");
                if (p >= 0 && s >= 0) {
                    keys.add(line.substring(p, line.indexOf(',', p)) + " " + line.substring(s, line.indexOf(',', s)));
                }
            }
            return keys;
        }
    }

    /**
     * Rebuilds the given iterations (every iteration the run started when {@code iterations} is null), reading the
     * pairs topic only where those iterations lie ({@link IterationRange}). {@code progress} receives the count of pair
     * records read so far.
     */
    public List<Result> replay(String runId, Set<Integer> iterations, LongConsumer progress) {
        List<ControlEvent> history = reader.runHistory(runId);
        Map<Integer, PairsCompleted> recorded = new HashMap<>();
        Set<Integer> wanted = iterations != null ? new TreeSet<>(iterations) : new TreeSet<>();
        for (ControlEvent e : history) {
            if (e.getPayload() instanceof PairsCompleted c) {
                recorded.put(c.getIteration(), c);
            } else if (iterations == null && e.getPayload() instanceof IterationStarted s) {
                wanted.add(s.getIteration());
            }
        }
        IterationRange range = IterationRange.pairs(history, wanted);
        Map<Integer, Map<String, PreferencePair>> byIteration = new TreeMap<>();
        Map<Integer, Integer> counts = new HashMap<>();
        long[] read = {0};
        String runKeys = runId + Keys.SEP;
        reader.<Object>readRange(SpinTopic.PAIRS.topicName(), range.startAt(), range.from(), key -> key != null && key.startsWith(runKeys), r -> {
            if (++read[0] % 1000 == 0) {
                progress.accept(read[0]);
            }
            if (r.value() instanceof PreferencePair p && p.getRunId().equals(runId) && wanted.contains(p.getIteration())
                    && byIteration.computeIfAbsent(p.getIteration(), t -> new LinkedHashMap<>())
                            .putIfAbsent(Keys.sample(runId, p.getIteration(), p.getPromptId(), p.getSampleIndex()), p) == null) {
                counts.merge(p.getIteration(), 1, Integer::sum);
            }
        }, () -> range.complete(counts));
        progress.accept(read[0]);
        List<Result> results = new ArrayList<>();
        for (int t : wanted) {
            List<PreferencePair> pairs = new ArrayList<>(byIteration.getOrDefault(t, Map.of()).values());
            byte[] jsonl = PairSnapshot.jsonl(pairs);
            results.add(new Result(runId, t, pairs, jsonl, Sha256.of(jsonl), recorded.get(t)));
        }
        return results;
    }
}
