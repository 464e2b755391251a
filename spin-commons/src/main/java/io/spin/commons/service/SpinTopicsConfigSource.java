package io.spin.commons.service;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.spin.contract.SpinTopic;

/**
 * Exposes every topic name of {@link SpinTopic} as {@code spin.topic.<name>} (e.g. spin.topic.generation-requests),
 * so channel configuration says {@code topic=${spin.topic.samples}} and the names stay defined once.
 */
public class SpinTopicsConfigSource implements ConfigSource {
    private final Map<String, String> properties = new HashMap<>();

    public SpinTopicsConfigSource() {
        for (SpinTopic topic : SpinTopic.values()) {
            properties.put("spin.topic." + topic.name().toLowerCase(Locale.ROOT).replace('_', '-'), topic.topicName());
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
        return "spin-topics";
    }

    @Override
    public int getOrdinal() {
        return 50; // below everything a user sets
    }
}
