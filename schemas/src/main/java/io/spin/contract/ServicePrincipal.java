package io.spin.contract;

import static io.spin.contract.SpinTopic.CONTROL;
import static io.spin.contract.SpinTopic.DEAD_LETTERS;
import static io.spin.contract.SpinTopic.GENERATION_REQUESTS;
import static io.spin.contract.SpinTopic.HUMAN_RESPONSES;
import static io.spin.contract.SpinTopic.PAIRS;
import static io.spin.contract.SpinTopic.RUNS;
import static io.spin.contract.SpinTopic.SAMPLES;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Each service's Kafka principal and the least it may do: the topics it reads, writes or only describes, its consumer
 * groups and transactional ids (prefixes: tests and Kafka Streams add suffixes). The local broker's ACLs are made from
 * here, and the Kubernetes KafkaUsers are checked against it. Anything else is refused.
 */
public enum ServicePrincipal {
    ORCHESTRATOR("spin-orchestrator", Set.of(CONTROL, RUNS, HUMAN_RESPONSES),
            Set.of(CONTROL, RUNS, GENERATION_REQUESTS, HUMAN_RESPONSES, DEAD_LETTERS), Set.of(), null, "spin-orchestrator", null),
    GENERATOR("spin-generator", Set.of(GENERATION_REQUESTS, CONTROL, RUNS), Set.of(SAMPLES, CONTROL, DEAD_LETTERS), Set.of(),
            "spin-generators", null, null),
    /** Kafka Streams: its group, transactional ids and internal topics all start with its application id. */
    PAIR_BUILDER("spin-pair-builder", Set.of(SAMPLES, HUMAN_RESPONSES, CONTROL, RUNS), Set.of(PAIRS, CONTROL, DEAD_LETTERS),
            Set.of(GENERATION_REQUESTS), "spin-pair-builder", "spin-pair-builder", "spin-pair-builder"),
    /** Its audit consumer (undecodable pairs to dead letters) is in a group of its own. */
    TRAINER("spin-trainer", Set.of(CONTROL, PAIRS, HUMAN_RESPONSES, RUNS), Set.of(CONTROL, DEAD_LETTERS), Set.of(), "spin-trainer", null, null);

    private final String user;
    private final Set<SpinTopic> reads;
    private final Set<SpinTopic> writes;
    private final Set<SpinTopic> describes;
    private final String groupPrefix;
    private final String transactionalIdPrefix;
    private final String internalTopicPrefix;

    ServicePrincipal(String user, Set<SpinTopic> reads, Set<SpinTopic> writes, Set<SpinTopic> describes, String groupPrefix,
                     String transactionalIdPrefix, String internalTopicPrefix) {
        this.user = user;
        this.reads = reads;
        this.writes = writes;
        this.describes = describes;
        this.groupPrefix = groupPrefix;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.internalTopicPrefix = internalTopicPrefix;
    }

    /** The Kafka user name (SCRAM), and the KafkaUser's name on Kubernetes. */
    public String user() {
        return user;
    }

    public Set<SpinTopic> reads() {
        return reads;
    }

    public Set<SpinTopic> writes() {
        return writes;
    }

    /** The ACLs that allow exactly this service's role, for the principal User:{@link #user()}. */
    public List<AclBinding> acls() {
        List<AclBinding> acls = new ArrayList<>();
        for (SpinTopic topic : SpinTopic.values()) {
            if (reads.contains(topic)) {
                acls.add(allow(ResourceType.TOPIC, topic.topicName(), PatternType.LITERAL, AclOperation.READ));
            }
            if (writes.contains(topic)) {
                acls.add(allow(ResourceType.TOPIC, topic.topicName(), PatternType.LITERAL, AclOperation.WRITE));
            }
            if (describes.contains(topic) || reads.contains(topic) || writes.contains(topic)) {
                acls.add(allow(ResourceType.TOPIC, topic.topicName(), PatternType.LITERAL, AclOperation.DESCRIBE));
            }
        }
        if (groupPrefix != null) {
            acls.add(allow(ResourceType.GROUP, groupPrefix, PatternType.PREFIXED, AclOperation.READ));
        }
        if (transactionalIdPrefix != null) {
            acls.add(allow(ResourceType.TRANSACTIONAL_ID, transactionalIdPrefix, PatternType.PREFIXED, AclOperation.WRITE));
            acls.add(allow(ResourceType.TRANSACTIONAL_ID, transactionalIdPrefix, PatternType.PREFIXED, AclOperation.DESCRIBE));
        }
        if (internalTopicPrefix != null) {
            acls.add(allow(ResourceType.TOPIC, internalTopicPrefix, PatternType.PREFIXED, AclOperation.ALL));
        }
        return acls;
    }

    private AclBinding allow(ResourceType type, String name, PatternType pattern, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    public static ServicePrincipal ofUser(String user) {
        for (ServicePrincipal p : values()) {
            if (p.user.equals(user)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no SPIN service has the Kafka user '" + user + "'");
    }
}
