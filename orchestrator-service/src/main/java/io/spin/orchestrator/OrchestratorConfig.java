package io.spin.orchestrator;

import java.nio.file.Path;
import java.util.Optional;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.spin.runtime.SpinConfig;

/** The orchestrator's settings: the shared endpoints, the data folder, {@code spin.orchestrator.*} and {@code spin.api.*}. */
// read when the container starts (observers of @Initialized(ApplicationScoped.class)), in the JVM that runs the service
@StaticInitSafe
@ConfigMapping(prefix = "spin")
public interface OrchestratorConfig extends SpinConfig {
    /** Dataset paths in run requests are resolved in, and may not leave, this folder. */
    @WithDefault(".")
    Path dataDir();

    Orchestrator orchestrator();

    Api api();

    Registry registry();

    interface Orchestrator {
        /** Of the producer that appends to the control log; one orchestrator per id. */
        @WithDefault("spin-orchestrator")
        String transactionalId();

        /** Generation requests (and dataset rows) per transaction. */
        @WithDefault("1000")
        int fanOutChunk();

        /** Failed attempts at a step (an unreadable dataset, say) before the run fails with the reason. */
        @WithDefault("5")
        int stepAttempts();

        /** Ended runs kept in memory; older ones leave it and are read back from their partition when asked for. */
        @WithDefault("256")
        int endedRunsKept();
    }

    /** Who may use the REST API ({@link ApiTokenFilter}) and how many live report streams it serves. */
    interface Api {
        Optional<String> token();

        @WithDefault("false")
        boolean protectReads();

        @WithDefault("spin-writer")
        String writeRole();

        @WithDefault("false")
        boolean insecure();

        @WithDefault("64")
        int maxEventStreams();
    }

    /** The registry's deployer, with which the orchestrator registers the contract where no deployment step does. */
    interface Registry {
        @WithDefault("deployer")
        String deployerUser();

        Optional<String> deployerPassword();
    }
}
