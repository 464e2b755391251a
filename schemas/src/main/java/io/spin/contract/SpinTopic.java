package io.spin.contract;

import java.time.Duration;
import java.util.Map;

import org.apache.avro.Schema;

/**
 * Every topic of the system, defined once: name, partitions, cleanup, retention, key and value types.
 * Services, the local stack and the Kubernetes manifests all derive their topics from this enum.
 */
public enum SpinTopic {
    /**
     * The run event log; the orchestrator folds it into run state, so it is kept forever. It never grows: a run's
     * events must stay in one partition, in order, and the pair builder co-partitions its pairs with it. The
     * orchestrator alone writes it: the other services report on topics of their own ({@link #GENERATOR_REPORTS},
     * {@link #PAIR_BUILDER_REPORTS}, {@link #TRAINER_REPORTS}), and it appends what it accepts of their reports.
     */
    CONTROL("spin.control", 3, Cleanup.DELETE, null, ControlEvent.getClassSchema(),
            "runId", false),
    /** Work for generator replicas; partitions bound how many replicas can work at once. */
    GENERATION_REQUESTS("spin.generation-requests", 8, Cleanup.DELETE, Duration.ofDays(7),
            GenerationRequest.getClassSchema(), "runId/iteration/promptId/sampleIndex", true),
    /** Raw samples, kept so an iteration's generations can be exported again. */
    SAMPLES("spin.samples", 8, Cleanup.DELETE, null, GeneratedSample.getClassSchema(),
            "runId/iteration/promptId/sampleIndex", true),
    /** The SFT data as a table: latest human response per datasetId/promptId (never grows: a key that moved
     * partition would leave its old value behind, and compaction would keep both). */
    HUMAN_RESPONSES("spin.human-responses", 4, Cleanup.COMPACT, null, HumanResponse.getClassSchema(),
            "datasetId/promptId", false),
    /** Preference pairs: the source of truth for training data, replayable to rebuild any snapshot. */
    PAIRS("spin.pairs", 4, Cleanup.DELETE, null, PreferencePair.getClassSchema(),
            "runId/iteration/promptId/sampleIndex", true),
    /** The run index, one summary per run (compacted): what a starting service reads to replay the control log only
     * from the oldest open run. Read whole, never co-partitioned, so it may grow. */
    RUNS("spin.runs", 1, Cleanup.COMPACT, null, RunSummary.getClassSchema(), "runId", true),
    /** What the generators report to the orchestrator (a run they cannot serve); they alone may write it. */
    GENERATOR_REPORTS("spin.reports.generator", 3, Cleanup.DELETE, Duration.ofDays(30), ControlEvent.getClassSchema(),
            "runId", true),
    /** What the pair builder reports (an iteration's progress, its completed pairs, a failure); it alone may write it. */
    PAIR_BUILDER_REPORTS("spin.reports.pair-builder", 3, Cleanup.DELETE, Duration.ofDays(30), ControlEvent.getClassSchema(),
            "runId", true),
    /** What the trainer reports (training progress, checkpoints, a failure); it alone may write it. */
    TRAINER_REPORTS("spin.reports.trainer", 3, Cleanup.DELETE, Duration.ofDays(30), ControlEvent.getClassSchema(),
            "runId", true),
    /** Records a consumer could not decode or process, with the reason. */
    DEAD_LETTERS("spin.dead-letters", 1, Cleanup.DELETE, Duration.ofDays(30), DeadLetter.getClassSchema(),
            "original key", true);

    public enum Cleanup {
        DELETE("delete"), COMPACT("compact");

        public final String kafkaValue;

        Cleanup(String kafkaValue) {
            this.kafkaValue = kafkaValue;
        }
    }

    private final String topicName;
    private final int defaultPartitions;
    private final Cleanup cleanup;
    private final Duration retention;
    private final Schema valueSchema;
    private final String keyFormat;
    private final boolean mayGrow;

    SpinTopic(String topicName, int defaultPartitions, Cleanup cleanup, Duration retention, Schema valueSchema,
              String keyFormat, boolean mayGrow) {
        this.mayGrow = mayGrow;
        this.topicName = topicName;
        this.defaultPartitions = defaultPartitions;
        this.cleanup = cleanup;
        this.retention = retention;
        this.valueSchema = valueSchema;
        this.keyFormat = keyFormat;
    }

    public String topicName() {
        return topicName;
    }

    public int defaultPartitions() {
        return defaultPartitions;
    }

    /** Partitions wanted: {@code SPIN_TOPIC_<NAME>_PARTITIONS} (e.g. SPIN_TOPIC_GENERATION_REQUESTS_PARTITIONS) or the default. */
    public int partitions(Map<String, String> env) {
        String variable = "SPIN_TOPIC_" + name() + "_PARTITIONS";
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
            return defaultPartitions;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + " must be a positive integer, not '" + value + "'");
        }
    }

    /** Whether partitions may be added to an existing topic without breaking what its keys guarantee. */
    public boolean mayGrow() {
        return mayGrow;
    }

    public Cleanup cleanup() {
        return cleanup;
    }

    /** Retention, or null for "kept forever" (retention.ms = -1). */
    public Duration retention() {
        return retention;
    }

    public long retentionMs() {
        return retention == null ? -1L : retention.toMillis();
    }

    public Schema valueSchema() {
        return valueSchema;
    }

    /** Keys are UTF-8 strings of this shape; see {@link Keys}. */
    public String keyFormat() {
        return keyFormat;
    }

    /** The registry subject of the value schema (Apicurio's and Confluent's default TopicNameStrategy). */
    public String valueSubject() {
        return topicName + "-value";
    }

    /** Topic-level configuration as Kafka expects it. */
    public Map<String, String> kafkaConfig() {
        String maxMessage = Integer.toString(Limits.RECORD_BYTES);
        if (this == RUNS) {
            // the index is read whole at every start: segments roll hourly so compaction keeps about one entry per run
            return Map.of("cleanup.policy", cleanup.kafkaValue, "retention.ms", Long.toString(retentionMs()), "segment.ms", "3600000",
                    MAX_MESSAGE_BYTES, maxMessage);
        }
        return Map.of("cleanup.policy", cleanup.kafkaValue, "retention.ms", Long.toString(retentionMs()), MAX_MESSAGE_BYTES, maxMessage);
    }

    /** The topic setting that bounds a record: {@link Limits#RECORD_BYTES} on every topic. */
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
}
