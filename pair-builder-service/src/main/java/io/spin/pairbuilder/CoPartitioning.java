package io.spin.pairbuilder;

import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import io.spin.contract.SpinTopic;
import io.spin.contract.TopicAdmin;

/**
 * The completion step needs all of a run's pairs and its control events in one task: pairs are re-keyed by runId into
 * as many partitions as the control topic has. Both counts are read from the broker, never assumed: a control topic
 * that has grown since the repartition topic was made would send a run's pairs and events to different tasks, and
 * completion would silently never come, so the service refuses to start, naming both topics.
 */
final class CoPartitioning {
    private CoPartitioning() {
    }

    static String repartitionTopic(String applicationId) {
        return applicationId + "-" + PairTopology.PAIRS_BY_RUN + "-repartition";
    }

    /** The control topic's partition count, once checked against the repartition topic's (when that exists). */
    static int controlPartitions(String bootstrap, String applicationId) throws Exception {
        try (Admin admin = Admin.create(io.spin.contract.KafkaCredentials.secured(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)))) {
            int control = TopicAdmin.partitionCount(admin, SpinTopic.CONTROL.topicName());
            if (control < 0) {
                TopicAdmin.ensureTopics(admin, Map.of());
                control = TopicAdmin.partitionCount(admin, SpinTopic.CONTROL.topicName());
            }
            String repartition = repartitionTopic(applicationId);
            int pairsByRun = TopicAdmin.partitionCount(admin, repartition);
            if (pairsByRun >= 0 && pairsByRun != control) {
                throw new IllegalStateException(repartition + " has " + pairsByRun + " partitions but " + SpinTopic.CONTROL.topicName()
                        + " has " + control + ": they must be equal, or a run's pairs and its control events meet in different tasks "
                        + "and no iteration ever completes. Give " + SpinTopic.CONTROL.topicName() + " back its " + pairsByRun
                        + " partitions (recreate it from the topics), or reset the pair builder (kafka-streams-application-reset) "
                        + "so the repartition topic is made again");
            }
            return control;
        }
    }
}
