package io.spin.generator;

import java.nio.file.Path;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.spin.runtime.SpinConfig;

/** The generator's settings: the shared endpoints and {@code spin.generator.*}. */
// read when the container starts (observers of @Initialized(ApplicationScoped.class)), in the JVM that runs the service
@StaticInitSafe
@ConfigMapping(prefix = "spin")
public interface GeneratorConfig extends SpinConfig {
    /** Checkpoints downloaded from object storage are cached here. */
    Path workDir();

    Generator generator();

    interface Generator {
        /** Requests taken from the topic at once (at most; a poll waits fetch.max.wait.ms for a fuller batch). */
        int maxBatch();

        /** Prompts sampled together, as one padded batch. */
        int sampleBatch();

        /** Compute threads of this replica; 0 leaves the engine's default (one per core). */
        @WithDefault("0")
        int threads();
    }
}
