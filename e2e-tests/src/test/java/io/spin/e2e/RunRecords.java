package io.spin.e2e;

import java.util.HashMap;
import java.util.Map;

import io.spin.commons.kafka.TopicReader;
import io.spin.contract.GeneratedSample;
import io.spin.contract.GenerationRequest;
import io.spin.contract.PreferencePair;
import io.spin.contract.SpinTopic;

/** How many records each key of one run has in a topic: the "nothing lost, nothing doubled" check of every test. */
final class RunRecords {
    private RunRecords() {
    }

    static Map<String, Integer> perKey(TopicReader reader, SpinTopic topic, String runId) {
        Map<String, Integer> counts = new HashMap<>();
        reader.<Object>readAll(topic.topicName(), r -> {
            String run = r.value() instanceof PreferencePair p ? p.getRunId()
                    : r.value() instanceof GenerationRequest g ? g.getRunId()
                    : r.value() instanceof GeneratedSample s ? s.getRunId() : null;
            if (runId.equals(run)) {
                counts.merge(r.key(), 1, Integer::sum);
            }
        });
        return counts;
    }
}
