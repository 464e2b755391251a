package io.spin.pairbuilder;

import java.nio.file.Path;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.spin.runtime.SpinConfig;

/** The pair builder's settings: the shared endpoints and {@code spin.pair-builder.*}. */
// read when the container starts (observers of @Initialized(ApplicationScoped.class)), in the JVM that runs the service
@StaticInitSafe
@ConfigMapping(prefix = "spin")
public interface PairBuilderConfig extends SpinConfig {
    PairBuilder pairBuilder();

    interface PairBuilder {
        /** Where a snapshot is written before its upload (the pod's writable state volume). */
        Path snapshotDir();

    }
}
