package io.spin.commons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class SpinMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void join() {
        Metrics.addRegistry(registry);
    }

    @AfterEach
    void leave() {
        Metrics.removeRegistry(registry);
    }

    @Test
    void prometheusNamesFollowMicrometersConventions() {
        assertEquals("spin_generator_samples_total", SpinMeters.GENERATOR_SAMPLES.prometheusName());
        assertEquals("spin_generator_batch_seconds", SpinMeters.GENERATOR_BATCH.prometheusName());
        assertEquals("spin_iteration_progress_ratio", SpinMeters.ITERATION_PROGRESS.prometheusName());
        assertEquals("spin_checkpoint_upload_bytes_total", SpinMeters.CHECKPOINT_UPLOAD_BYTES.prometheusName());
        assertEquals("spin_dead_letters_total", SpinMeters.DEAD_LETTERS.prometheusName());
        assertEquals("spin_runs", SpinMeters.RUNS.prometheusName());
    }

    @Test
    void countersAndGaugesRecordByTagAndAWrongTagCountIsRefused() {
        SpinMeters.PAIRS.increment(2, "run-a");
        SpinMeters.PAIRS.increment(3, "run-a");
        SpinMeters.ITERATION_PROGRESS.set(0.25, "run-a", "0");
        SpinMeters.ITERATION_PROGRESS.set(0.5, "run-a", "0");
        assertEquals(5.0, registry.get("spin.pairs").tag("run", "run-a").counter().count());
        assertEquals(0.5, registry.get("spin.iteration.progress.ratio").tags("run", "run-a", "iteration", "0").gauge().value());
        assertEquals("spin.pairs takes tags run", assertThrows(IllegalArgumentException.class, () -> SpinMeters.PAIRS.increment(1)).getMessage());
    }

    @Test
    void aRunsMetersStayForTheLastSixteenEndingsThenGo() {
        for (int i = 0; i <= SpinMeters.KEPT_ENDED_RUNS; i++) {
            SpinMeters.TRAINER_LOSS.set(i, "old-" + i);
            SpinMeters.TRAINER_STEPS.increment(1, "old-" + i);
        }
        for (int i = 0; i < SpinMeters.KEPT_ENDED_RUNS; i++) {
            SpinMeters.runEnded("old-" + i);
        }
        assertNotNull(registry.find("spin.trainer.steps").tag("run", "old-0").counter(), "16 ended runs are all kept");
        SpinMeters.runEnded("old-" + SpinMeters.KEPT_ENDED_RUNS);
        assertNull(registry.find("spin.trainer.steps").tag("run", "old-0").counter(), "the 17th ending drops the first");
        assertNull(registry.find("spin.trainer.loss").tag("run", "old-0").gauge());
        assertNotNull(registry.find("spin.trainer.loss").tag("run", "old-1").gauge());
        SpinMeters.TRAINER_LOSS.set(7, "old-0");
        assertEquals(7.0, registry.get("spin.trainer.loss").tag("run", "old-0").gauge().value(), "a forgotten gauge can come back");
    }
}
