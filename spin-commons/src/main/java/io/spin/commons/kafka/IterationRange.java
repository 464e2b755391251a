package io.spin.commons.kafka;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.spin.contract.CheckpointReady;
import io.spin.contract.ControlEvent;
import io.spin.contract.GenerationProgress;
import io.spin.contract.IterationStarted;
import io.spin.contract.PairsCompleted;
import io.spin.contract.PartitionOffsets;
import io.spin.contract.RunRequested;

/**
 * Where some iterations of a run lie in the pairs or samples topic, from the run's control events: each partition from
 * the offsets the iteration's opening GenerationProgress recorded (for a log written before those existed: from the time its policy was ready,
 * less the clock margin), and how many distinct records make it whole (the snapshot's pair count; the expected
 * samples), so a reader stops once it has them. An iteration whose count is not known yet is read to the topic's end.
 *
 * @param startAt the first offset per partition (partitions not in it start at {@code from})
 * @param from where partitions without an offset start, or null for their beginning
 * @param expected distinct records per iteration, -1 where not known
 */
public record IterationRange(Map<Integer, Long> startAt, Instant from, Map<Integer, Integer> expected) {

    /** The iterations' pairs. */
    public static IterationRange pairs(List<ControlEvent> history, Collection<Integer> iterations) {
        return of(history, iterations, true);
    }

    /** The iterations' samples. */
    public static IterationRange samples(List<ControlEvent> history, Collection<Integer> iterations) {
        return of(history, iterations, false);
    }

    private static IterationRange of(List<ControlEvent> history, Collection<Integer> iterations, boolean pairs) {
        Map<Integer, Long> startAt = new HashMap<>();
        Map<Integer, Integer> expected = new HashMap<>();
        Instant earliest = null;
        boolean everyOffsetKnown = true;
        boolean everyTimeKnown = true;
        for (int t : iterations) {
            expected.put(t, -1);
            GenerationProgress offsets = first(history, t);
            if (offsets == null) {
                everyOffsetKnown = false;
                Instant ready = policyReadyAt(history, t);
                everyTimeKnown &= ready != null;
                earliest = ready == null || earliest != null && earliest.isBefore(ready) ? earliest : ready;
            } else {
                for (PartitionOffsets p : pairs ? offsets.getPairsFrom() : offsets.getSamplesFrom()) {
                    startAt.merge(p.getPartition(), p.getEndOffset(), Math::min);
                }
            }
        }
        for (ControlEvent e : history) {
            if (pairs && e.getPayload() instanceof PairsCompleted c && expected.containsKey(c.getIteration())) {
                expected.put(c.getIteration(), c.getPairCount());
            } else if (!pairs && e.getPayload() instanceof IterationStarted s && expected.containsKey(s.getIteration())) {
                expected.put(s.getIteration(), s.getExpectedPairs());
            }
        }
        if (everyOffsetKnown) {
            return new IterationRange(startAt, null, expected);
        }
        // an iteration without recorded offsets: every partition from its time (or the beginning), so it is read whole
        return new IterationRange(Map.of(), everyTimeKnown ? earliest.minus(RunIndex.CLOCK_MARGIN) : null, expected);
    }

    /** Whether {@code counts} (distinct records read per iteration) make every iteration whole. */
    public boolean complete(Map<Integer, Integer> counts) {
        for (var e : expected.entrySet()) {
            if (e.getValue() < 0 || counts.getOrDefault(e.getKey(), 0) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The fan-out's opening progress of iteration t (the first one that notes offsets), or null in older logs. */
    private static GenerationProgress first(List<ControlEvent> history, int t) {
        for (ControlEvent e : history) {
            if (e.getPayload() instanceof GenerationProgress g && g.getIteration() == t && !g.getPairsFrom().isEmpty()) {
                return g;
            }
        }
        return null;
    }

    /** When pi_t was ready (the checkpoint of iteration t-1, SFT's for t = 0, else the request): nothing of t is older. */
    private static Instant policyReadyAt(List<ControlEvent> history, int t) {
        Instant ready = null;
        for (ControlEvent e : history) {
            if (e.getPayload() instanceof RunRequested && ready == null) {
                ready = e.getTimestamp();
            } else if (e.getPayload() instanceof CheckpointReady c && c.getIteration() == t - 1) {
                return e.getTimestamp();
            }
        }
        return ready;
    }
}
