package io.spin.commons.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.spin.commons.ControlEvents;
import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.ControlEvent;
import io.spin.contract.GenerationProgress;
import io.spin.contract.IterationStarted;
import io.spin.contract.ObjectRef;
import io.spin.contract.PairsCompleted;
import io.spin.contract.PartitionOffsets;
import io.spin.contract.RunConfig;
import io.spin.contract.RunRequested;
import io.spin.contract.TrainingMetrics;

/** Where an iteration's records lie, from hand-written control logs. */
class IterationRangeTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final CheckpointRef PI = CheckpointRef.newBuilder().setId("r/iter-0").setUri("s3://spin/r/").setManifestSha256("ab".repeat(32)).build();

    private static ControlEvent at(long seconds, Object payload) {
        return new ControlEvents("test", Clock.fixed(T0.plusSeconds(seconds), ZoneOffset.UTC)).of("r", payload);
    }

    private static List<ControlEvent> log(boolean withOffsets) {
        List<ControlEvent> log = new ArrayList<>();
        log.add(at(0, RunRequested.newBuilder().setConfig(RunConfig.newBuilder().setTrainDatasetId("ds").setTrainPromptCount(5).setIterations(2)
                .setBetas(List.of(0.1)).setLearningRates(List.of(1e-3)).setSampling(new io.spin.contract.SamplingParams())
                .setConvergence(new io.spin.contract.ConvergenceCriteria()).build()).build()));
        log.add(at(100, checkpoint(-1)));
        for (int t = 0; t < 2; t++) {
            if (withOffsets) {
                log.add(at(110 + 100 * t, GenerationProgress.newBuilder().setIteration(t).setReceived(0).setExpected(10)
                        .setPairsFrom(List.of(new PartitionOffsets(0, 40L + t * 100), new PartitionOffsets(1, 7L + t * 100)))
                        .setSamplesFrom(List.of(new PartitionOffsets(0, 500L + t), new PartitionOffsets(1, 600L + t))).build()));
            }
            log.add(at(111 + 100 * t, IterationStarted.newBuilder().setIteration(t).setPolicy(PI).setPromptCount(5).setSamplesPerPrompt(2)
                    .setExpectedPairs(10).setBeta(0.1).setLearningRate(1e-3).build()));
            if (t == 0) {
                log.add(at(150, PairsCompleted.newBuilder().setIteration(0).setPairCount(9).setExactMatchRate(0).setMeanSimilarity(0)
                        .setSnapshot(ObjectRef.newBuilder().setUri("s3://x").setSha256("00").setBytes(1).build()).build()));
                log.add(at(200, checkpoint(0)));
            }
        }
        if (withOffsets) { // a restarted fan-out of iteration 1 noted later offsets: the first holds
            log.add(at(300, GenerationProgress.newBuilder().setIteration(1).setReceived(0).setExpected(10)
                    .setPairsFrom(List.of(new PartitionOffsets(0, 999L))).setSamplesFrom(List.of(new PartitionOffsets(0, 999L))).build()));
            log.add(at(301, GenerationProgress.newBuilder().setIteration(1).setReceived(4).setExpected(10).build()));
        }
        return log;
    }

    private static CheckpointReady checkpoint(int iteration) {
        return CheckpointReady.newBuilder().setIteration(iteration).setCheckpoint(PI)
                .setTraining(TrainingMetrics.newBuilder().setSteps(1).setLoss(1).build()).build();
    }

    @Test
    void anIterationStartsAtTheOffsetsItsFanOutNotedFirstAndIsWholeAtItsSnapshotsCount() {
        IterationRange pairs = IterationRange.pairs(log(true), List.of(0));
        assertEquals(Map.of(0, 40L, 1, 7L), pairs.startAt());
        assertNull(pairs.from());
        assertEquals(Map.of(0, 9), pairs.expected(), "the snapshot's pair count");
        assertFalse(pairs.complete(Map.of(0, 8)));
        assertTrue(pairs.complete(Map.of(0, 9)));

        IterationRange both = IterationRange.pairs(log(true), List.of(0, 1));
        assertEquals(Map.of(0, 40L, 1, 7L), both.startAt(), "per partition, the earlier iteration's offset");
        assertEquals(-1, both.expected().get(1), "iteration 1 has no snapshot yet");
        assertFalse(both.complete(Map.of(0, 9, 1, 10_000)), "read to the end while a count is unknown");

        IterationRange samples = IterationRange.samples(log(true), List.of(1));
        assertEquals(Map.of(0, 501L, 1, 601L), samples.startAt(), "the first opening progress of iteration 1, not the restarted one's");
        assertEquals(Map.of(1, 10), samples.expected(), "prompts x samples per prompt");
    }

    @Test
    void aLogFromBeforeTheOffsetsStartsWhenThePolicyWasReadyLessTheClockMargin() {
        IterationRange first = IterationRange.pairs(log(false), List.of(0));
        assertEquals(Map.of(), first.startAt());
        assertEquals(T0.plusSeconds(100).minus(RunIndex.CLOCK_MARGIN), first.from(), "SFT's checkpoint made pi_0");
        IterationRange second = IterationRange.samples(log(false), List.of(1));
        assertEquals(T0.plusSeconds(200).minus(RunIndex.CLOCK_MARGIN), second.from(), "iteration 0's checkpoint made pi_1");
        assertEquals(T0.plusSeconds(100).minus(RunIndex.CLOCK_MARGIN), IterationRange.pairs(log(false), List.of(0, 1)).from());
        List<ControlEvent> noRequest = log(false).subList(1, log(false).size());
        assertNull(IterationRange.pairs(noRequest.subList(1, noRequest.size()), List.of(0)).from(), "nothing to go by: the beginning");
    }
}
