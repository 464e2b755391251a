package io.spin.contract;

import static io.spin.contract.SpinTopic.CONTROL;
import static io.spin.contract.SpinTopic.DEAD_LETTERS;
import static io.spin.contract.SpinTopic.GENERATION_REQUESTS;
import static io.spin.contract.SpinTopic.GENERATOR_REPORTS;
import static io.spin.contract.SpinTopic.PAIR_BUILDER_REPORTS;
import static io.spin.contract.SpinTopic.TRAINER_REPORTS;
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
    /** The control log's one writer: it appends what it decides and what it accepts of the other services' reports. */
    ORCHESTRATOR("spin-orchestrator", Set.of(CONTROL, RUNS, HUMAN_RESPONSES, GENERATOR_REPORTS, PAIR_BUILDER_REPORTS, TRAINER_REPORTS),
            Set.of(CONTROL, RUNS, GENERATION_REQUESTS, HUMAN_RESPONSES, DEAD_LETTERS), Set.of(PAIRS, SAMPLES), "spin-orchestrator", "spin-orchestrator", null,
            null, Set.of()),
    GENERATOR("spin-generator", Set.of(GENERATION_REQUESTS, CONTROL, RUNS), Set.of(SAMPLES, GENERATOR_REPORTS, DEAD_LETTERS), Set.of(),
            "spin-generators", null, null, GENERATOR_REPORTS, Set.of(RunFailed.class)),
    /** Kafka Streams: its group, transactional ids and internal topics all start with its application id. */
    PAIR_BUILDER("spin-pair-builder", Set.of(SAMPLES, HUMAN_RESPONSES, CONTROL, RUNS), Set.of(PAIRS, PAIR_BUILDER_REPORTS, DEAD_LETTERS),
            Set.of(GENERATION_REQUESTS), "spin-pair-builder", "spin-pair-builder", "spin-pair-builder", PAIR_BUILDER_REPORTS,
            Set.of(GenerationProgress.class, PairsCompleted.class, RunFailed.class)),
    /** Its audit consumer (undecodable pairs to dead letters) is in a group of its own. */
    TRAINER("spin-trainer", Set.of(CONTROL, PAIRS, HUMAN_RESPONSES, RUNS), Set.of(TRAINER_REPORTS, DEAD_LETTERS), Set.of(), "spin-trainer",
            null, null, TRAINER_REPORTS, Set.of(TrainingProgress.class, CheckpointReady.class, RunFailed.class));

    private final String user;
    private final Set<SpinTopic> reads;
    private final Set<SpinTopic> writes;
    private final Set<SpinTopic> describes;
    private final String groupPrefix;
    private final String transactionalIdPrefix;
    private final String internalTopicPrefix;
    private final SpinTopic reportTopic;
    private final Set<Class<?>> reportable;

    ServicePrincipal(String user, Set<SpinTopic> reads, Set<SpinTopic> writes, Set<SpinTopic> describes, String groupPrefix,
                     String transactionalIdPrefix, String internalTopicPrefix, SpinTopic reportTopic, Set<Class<?>> reportable) {
        this.reportTopic = reportTopic;
        this.reportable = reportable;
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

    /** The topic this service reports on, which it alone writes; null for the orchestrator, which writes the control log. */
    public SpinTopic reportTopic() {
        return reportTopic;
    }

    /**
     * Whether this service may report this payload: the orchestrator appends a reported event to the control log only
     * if its writer may report it (a generator's checkpoint or cancellation is refused, whatever it says).
     */
    public boolean mayReport(Object payload) {
        return payload != null && reportable.contains(payload.getClass());
    }

    /** The service that alone writes this report topic, or null when the topic is no report topic. */
    public static ServicePrincipal reportingOn(String topic) {
        for (ServicePrincipal p : values()) {
            if (p.reportTopic != null && p.reportTopic.topicName().equals(topic)) {
                return p;
            }
        }
        return null;
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
