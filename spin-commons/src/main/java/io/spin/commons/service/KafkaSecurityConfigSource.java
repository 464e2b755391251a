package io.spin.commons.service;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.spin.contract.KafkaCredentials;

/**
 * The process's Kafka credentials ({@link KafkaCredentials}, from SPIN_KAFKA_USER ...) as the settings of every client
 * Quarkus makes: {@code kafka.*} for the SmallRye channels and {@code kafka-streams.*} for Kafka Streams, so no
 * service's configuration repeats them. Empty when the process has no Kafka user.
 */
public class KafkaSecurityConfigSource implements ConfigSource {
    private final Map<String, String> properties = new HashMap<>();

    public KafkaSecurityConfigSource() {
        KafkaCredentials credentials = KafkaCredentials.current();
        if (credentials != null) {
            credentials.clientConfig().forEach((key, value) -> {
                properties.put("kafka." + key, value);
                properties.put("kafka-streams." + key, value);
            });
        }
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String name) {
        return properties.get(name);
    }

    @Override
    public String getName() {
        return "spin-kafka-credentials";
    }

    @Override
    public int getOrdinal() {
        return 50; // below everything a user sets
    }
}
