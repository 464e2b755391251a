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
    }
}
