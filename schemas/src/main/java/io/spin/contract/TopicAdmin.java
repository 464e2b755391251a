package io.spin.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics of {@link SpinTopic} that do not exist yet, and grows partition counts that are too small where
 * the topic may grow ({@link SpinTopic#mayGrow()}); a topic that may not is left as it is, and the line says so.
 * Replication follows the broker's default.replication.factor, so the same code suits one node and a cluster.
 */
public final class TopicAdmin {
    private TopicAdmin() {
    }

    /** Returns a line per change made (empty when everything already matched). */
    public static List<String> ensureTopics(Admin admin, Map<String, String> env)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> changes = new ArrayList<>();
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> toCreate = new ArrayList<>();
        for (SpinTopic topic : SpinTopic.values()) {
            int partitions = topic.partitions(env);
            if (!existing.contains(topic.topicName())) {
                toCreate.add(new NewTopic(topic.topicName(), Optional.of(partitions), Optional.empty()).configs(topic.kafkaConfig()));
                changes.add("created " + topic.topicName() + " (" + partitions + " partitions)");
            } else {
                TopicDescription description = admin.describeTopics(List.of(topic.topicName()))
                        .topicNameValues().get(topic.topicName()).get(30, TimeUnit.SECONDS);
                int current = description.partitions().size();
                if (current < partitions && !topic.mayGrow()) {
                    changes.add("kept " + topic.topicName() + " at " + current + " partitions (" + partitions
                            + " asked): it may not grow, its keys' partitions must stay where they are");
                } else if (current < partitions) {
                    admin.createPartitions(Map.of(topic.topicName(), NewPartitions.increaseTo(partitions))).all()
                            .get(30, TimeUnit.SECONDS);
                    changes.add("grew " + topic.topicName() + " from " + current + " to " + partitions + " partitions");
                }
            }
        }
        if (!toCreate.isEmpty()) {
            try {
                admin.createTopics(toCreate).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // another service created them at the same moment: that is what we wanted
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return changes;
    }

    /** The topic's partition count as the broker has it, or -1 when there is no such topic. */
    public static int partitionCount(Admin admin, String topic) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return admin.describeTopics(List.of(topic)).topicNameValues().get(topic).get(30, TimeUnit.SECONDS).partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return -1;
            }
            throw e;
        }
    }
}
