package io.spin.runtime;

import java.util.Map;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * The settings every service shares, under {@code spin.*}. Their values come from the SPIN_* variables that
 * {@code ./spin env} prints, mapped once in this module's {@code META-INF/microprofile-config.properties}. Each service
 * has one {@code @ConfigMapping(prefix = "spin")} that extends this interface, and that mapping is the bean this module's
 * beans inject as a {@code SpinConfig}.
 */
public interface SpinConfig {
    /** Kafka's bootstrap servers: {@code kafka.bootstrap.servers}, which the SmallRye channels read too. */
    String kafkaBootstrap();

    /** The schema registry's API, {@code <base>/apis/registry/v3}. */
    String registryApiUrl();

    S3 s3();

    /**
     * The contract's topic names by key ({@link SpinTopicsConfigSource}: {@code spin.topic.control=spin.control}, ...);
     * channels name theirs as {@code ${spin.topic.<key>}}.
     */
    Map<String, String> topic();

    /** Names this process in the ids of the events it writes; the host name when absent. */
    Optional<String> instanceId();

    /** Create the contract's missing topics at start; off where an operator owns them (Strimzi). */
    @WithDefault("true")
    boolean createTopics();

    interface S3 {
        String endpoint();

        String accessKey();

        String secretKey();

        @WithDefault("spin")
        String bucket();
    }
}
