package io.spin.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.spin.commons.ControlEvents;
import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.ConvergenceCriteria;
import io.spin.contract.GenerationProgress;
import io.spin.contract.IterationStarted;
import io.spin.contract.RunConfig;
import io.spin.contract.RunRequested;
import io.spin.contract.SamplingParams;
import io.spin.contract.TrainingMetrics;

/** The generation deadline as a pure function of the run's events and the time, checked by hand. */
class NextStepTest {
    private static final Instant T0 = Instant.parse("2026-11-30T08:00:00Z");
    private static final CheckpointRef PI0 = CheckpointRef.newBuilder().setId("r/iter-0").setUri("s3://spin/r/").setManifestSha256("ab".repeat(32)).build();

    private static ControlEvents at(long seconds) {
        return new ControlEvents("test", Clock.fixed(T0.plusSeconds(seconds), ZoneOffset.UTC));
    }

    private static RunView startedRun() {
        RunView run = new RunView("r");
        RunConfig config = RunConfig.newBuilder().setTrainDatasetId("ds").setTrainPromptCount(10).setIterations(2)
                .setBetas(List.of(0.1)).setLearningRates(List.of(1e-3)).setSampling(SamplingParams.newBuilder().build())
                .setConvergence(ConvergenceCriteria.newBuilder().build()).setGenerationStallSeconds(60).build();
        run.apply(at(0).of("r", RunRequested.newBuilder().setConfig(config).build()));
        run.apply(at(0).of("r", CheckpointReady.newBuilder().setIteration(-1).setCheckpoint(PI0)
                .setTraining(TrainingMetrics.newBuilder().setSteps(1).setLoss(1).build()).build()));
        run.apply(at(10).of("r", IterationStarted.newBuilder().setIteration(0).setPolicy(PI0).setPromptCount(10).setSamplesPerPrompt(1)
                .setExpectedPairs(10).setBeta(0.1).setLearningRate(1e-3).build()));
        return run;
    }

    @Test
    void generationWithoutProgressForTheLimitFailsTheRunNamingWhatArrived() {
        RunView run = startedRun();
        assertInstanceOf(NextStep.Wait.class, NextStep.of(run, T0.plusSeconds(69)), "59 s after the start: still waiting");
        NextStep.Fail fail = assertInstanceOf(NextStep.Fail.class, NextStep.of(run, T0.plusSeconds(70)));
        assertEquals("iteration 0: no generation progress for 60 s (limit 60 s); 0 of 10 pairs had arrived", fail.reason());
        assertEquals(0, fail.iteration());
    }

    @Test
    void progressRestartsTheClock() {
        RunView run = startedRun();
        run.apply(at(50).of("r", GenerationProgress.newBuilder().setIteration(0).setReceived(4).setExpected(10).build()));
        assertInstanceOf(NextStep.Wait.class, NextStep.of(run, T0.plusSeconds(109)), "59 s after the last progress");
        NextStep.Fail fail = assertInstanceOf(NextStep.Fail.class, NextStep.of(run, T0.plusSeconds(125)));
        assertEquals("iteration 0: no generation progress for 75 s (limit 60 s); 4 of 10 pairs had arrived", fail.reason());
    }
}
