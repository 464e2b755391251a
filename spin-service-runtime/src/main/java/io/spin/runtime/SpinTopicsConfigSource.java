package io.spin.runtime;

import java.util.Locale;

import io.spin.contract.SpinTopic;

/**
 * Exposes every topic name of {@link SpinTopic} as {@code spin.topic.<name>} (e.g. spin.topic.generation-requests),
 * so channel configuration says {@code topic=${spin.topic.samples}} and the names stay defined once.
 */
public class SpinTopicsConfigSource extends MapConfigSource {
    public SpinTopicsConfigSource() {
        super("spin-topics");
        for (SpinTopic topic : SpinTopic.values()) {
            properties.put("spin.topic." + topic.name().toLowerCase(Locale.ROOT).replace('_', '-'), topic.topicName());
        }
    }
}
