package io.spin.pairbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import io.spin.contract.SpinTopic;
import io.spin.contract.TopicAdmin;
import io.spin.stack.SharedStack;

/** Partition counts read from the real broker: a repartition topic that no longer matches the control topic is refused. */
class CoPartitioningTest {

    @Test
    void aRepartitionTopicThatNoLongerMatchesTheControlTopicRefusesTheStartNamingBoth() throws Exception {
        String bootstrap = SharedStack.endpoints().kafkaBootstrap();
        String fresh = "copartition-" + UUID.randomUUID();
        String grown = "copartition-" + UUID.randomUUID();
        try (Admin admin = Admin.create(io.spin.contract.KafkaCredentials.secured(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)))) {
            TopicAdmin.ensureTopics(admin, Map.of());
            int control = TopicAdmin.partitionCount(admin, SpinTopic.CONTROL.topicName());
            // before the first start there is no repartition topic: the control topic's count is used
            assertEquals(control, CoPartitioning.controlPartitions(bootstrap, fresh));
            // as if spin.control had grown after the pair builder made its repartition topic
            admin.createTopics(List.of(new NewTopic(CoPartitioning.repartitionTopic(grown), control + 2, (short) 1))).all().get();
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> CoPartitioning.controlPartitions(bootstrap, grown));
            assertTrue(refused.getMessage().contains(CoPartitioning.repartitionTopic(grown)) && refused.getMessage().contains("spin.control"),
                    refused.getMessage());
            admin.deleteTopics(List.of(CoPartitioning.repartitionTopic(grown))).all().get();
        }
    }
}
