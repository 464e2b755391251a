package io.spin.contract;

import java.util.ArrayList;
import java.util.Collection;
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
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
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
        changes.addAll(boundRecords(admin, existing));
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

    /** Topics made before records had a bound of SPIN's own get it ({@link Limits#RECORD_BYTES}): one line per topic changed. */
    private static List<String> boundRecords(Admin admin, Set<String> existing)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<ConfigResource> resources = java.util.Arrays.stream(SpinTopic.values()).filter(t -> existing.contains(t.topicName()))
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.topicName())).toList();
        if (resources.isEmpty()) {
            return List.of();
        }
        String wanted = Integer.toString(Limits.RECORD_BYTES);
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new java.util.HashMap<>();
        Map<ConfigResource, org.apache.kafka.clients.admin.Config> configs;
        try {
            configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.AuthorizationException) {
                // a service's own principal may not read topic settings; the deployment step (./spin up, Strimzi) sets them
                return List.of("left " + SpinTopic.MAX_MESSAGE_BYTES + " as it is: this principal may not describe topic settings");
            }
            throw e;
        }
        configs.forEach((resource, config) -> {
            var entry = config.get(SpinTopic.MAX_MESSAGE_BYTES);
            if (entry == null || !wanted.equals(entry.value())) {
                changes.put(resource, List.of(new AlterConfigOp(new ConfigEntry(SpinTopic.MAX_MESSAGE_BYTES, wanted), AlterConfigOp.OpType.SET)));
            }
        });
        if (!changes.isEmpty()) {
            admin.incrementalAlterConfigs(changes).all().get(30, TimeUnit.SECONDS);
        }
        return changes.keySet().stream().map(r -> "set " + r.name() + " " + SpinTopic.MAX_MESSAGE_BYTES + "=" + wanted).sorted().toList();
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
