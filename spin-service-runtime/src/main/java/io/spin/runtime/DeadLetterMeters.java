package io.spin.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;

import io.spin.commons.SpinMeters;
import io.spin.contract.SpinTopic;

/**
 * spin_dead_letters_total exists from the start at 0 for every topic, so a dashboard shows "none" rather than "no data"
 * and an alert on its increase has a series to watch.
 */
@ApplicationScoped
public class DeadLetterMeters {
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        for (SpinTopic topic : SpinTopic.values()) {
            SpinMeters.DEAD_LETTERS.increment(0, topic.topicName());
        }
    }
}
