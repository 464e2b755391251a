package io.spin.trainer;

import java.nio.file.Path;
import java.time.Duration;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.spin.runtime.SpinConfig;

/** The trainer's settings: the shared endpoints and {@code spin.trainer.*}. */
// read when the container starts (observers of @Initialized(ApplicationScoped.class)), in the JVM that runs the service
@StaticInitSafe
@ConfigMapping(prefix = "spin")
public interface TrainerConfig extends SpinConfig {
    /** Checkpoints being written and those downloaded (a cache) live here. */
    Path workDir();

    Trainer trainer();

    interface Trainer {
        /** In-iteration checkpoints (weights + optimizer state) every this many steps; 0 turns them off. */
        @WithDefault("20")
        int checkpointEvery();

        /** Attempts at a job whose failure may pass (storage or broker away), before the run fails. */
        @WithDefault("3")
        int jobAttempts();

        /** The pause before the second attempt; each further one waits this much longer. */
        @WithDefault("PT10S")
        Duration retryPause();

        /**
         * Evaluates pi_{t+1} after reporting its checkpoint, while the next iteration generates (and prepares that
         * iteration's eval pairs then), instead of before: a gain where the trainer has hardware of its own (its own
         * GPU, as on Kubernetes), a loss where it shares the generators' CPU (the demo on 2 cores: iterations 153 s
         * without, 222 s with, BENCHMARKS.md). Off unless set.
         */
        @WithDefault("false")
        boolean evalDuringNextIteration();

        /**
         * Prompts the trainer samples together for its eval: pi_{t+1}'s greedy responses and the eval pairs' samples
         * of pi_t. Sampling keeps no activations for a backward pass, only a KV cache of 2 x layers x width x (prompt +
         * new tokens) numbers per prompt, so it batches more than training does: on the demo's model 64 samples the eval
         * set in about half the time of 16 (BENCHMARKS.md). Lower it for a large model on a small accelerator (a 7B model at
         * 1,024 positions in 16 bits holds 0.5 GB per prompt).
         */
        @WithDefault("64")
        int sampleBatch();
    }
}
