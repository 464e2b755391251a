package io.spin.commons.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import io.spin.contract.RunStatus;
import io.spin.contract.RunSummary;
import io.spin.contract.SpinTopic;

/**
 * The run index ({@link SpinTopic#RUNS}) as read at start, and where a service that folds run state must start
 * replaying the control log: at the oldest open run's first event, or at the log's end when no run is open. So a
 * start-up reads one small record per run plus the open runs' events, never the finished runs' history. An empty
 * index (a new cluster, or one written before the index existed) replays the whole log; the orchestrator then
 * indexes every run it found.
 */
public final class RunIndex {
    private static final Logger LOG = Logger.getLogger(RunIndex.class);
    /**
     * Replays start this long before the oldest open run's request: the index and the control record carry the
     * orchestrator's clock, but a topic set to broker time (LogAppendTime) may stamp the record earlier.
     */
    static final Duration CLOCK_MARGIN = Duration.ofMinutes(5);

    private final Map<String, RunSummary> runs;
    private final Map<TopicPartition, Long> controlEnd;
    private final Duration clockMargin;

    /**
     * @param runs        the index's entries by run id
     * @param controlEnd  the control log's end offsets taken before the index was read
     * @param clockMargin how long before the oldest open run's request its replay starts
     */
    public RunIndex(Map<String, RunSummary> runs, Map<TopicPartition, Long> controlEnd, Duration clockMargin) {
        this.runs = runs;
        this.controlEnd = controlEnd;
        this.clockMargin = clockMargin;
    }

    /**
     * Reads the index whole. The control log's end is taken first: a run requested after that is written (with its
     * index entry, in one transaction) at or after that end, so the replay sees it even if this read did not.
     */
    public static RunIndex load(String bootstrap, String registryUrl) {
        Map<TopicPartition, Long> end;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(TopicReader.rawConsumerConfig(bootstrap, "run-index"))) {
            List<TopicPartition> partitions = c.partitionsFor(SpinTopic.CONTROL.topicName(), Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            end = new HashMap<>(c.endOffsets(partitions, Duration.ofSeconds(60)));
        }
        Map<String, RunSummary> runs = new LinkedHashMap<>();
        TopicReader.Summary read = new TopicReader(bootstrap, registryUrl).<Object>readAll(SpinTopic.RUNS.topicName(), r -> {
            if (r.value() instanceof RunSummary s && Objects.equals(r.key(), s.getRunId())) {
                runs.put(s.getRunId(), s);
            }
        }, (r, e) -> LOG.warnf("run index: skipping undecodable record %d@%d: %s", r.partition(), r.offset(), e));
        RunIndex index = new RunIndex(runs, end, CLOCK_MARGIN);
        LOG.infof("run index: %d runs (%d open) from %d records", runs.size(), index.open().size(), read.records());
        return index;
    }

    public boolean isEmpty() {
        return runs.isEmpty();
    }

    public Map<String, RunSummary> runs() {
        return runs;
    }

    /** True when the index records the run as ended: its events in a replay are the tail of a finished history. */
    public boolean ended(String runId) {
        RunSummary s = runs.get(runId);
        return s != null && s.getStatus() != RunStatus.RUNNING;
    }

    Collection<RunSummary> open() {
        return runs.values().stream().filter(s -> s.getStatus() == RunStatus.RUNNING).toList();
    }

    /**
     * Where the replay starts, per partition of the control topic (see the class comment): the end offset the index
     * saw, or earlier where the oldest open run's events begin; none (the log's beginning) for an empty index.
     */
    public Map<TopicPartition, Long> replayStart(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> start = new HashMap<>();
        if (runs.isEmpty()) {
            return start;
        }
        partitions.forEach(tp -> start.put(tp, controlEnd.getOrDefault(tp, 0L)));
        Instant oldestOpen = open().stream().map(RunSummary::getRequestedAt).min(Instant::compareTo).orElse(null);
        if (oldestOpen != null) {
            Map<TopicPartition, Long> at = new HashMap<>();
            partitions.forEach(tp -> at.put(tp, oldestOpen.minus(clockMargin).toEpochMilli()));
            consumer.offsetsForTimes(at).forEach((tp, found) -> {
                if (found != null) {
                    start.merge(tp, found.offset(), Math::min);
                }
            });
        }
        LOG.infof("replaying the control log from %s (oldest open run requested at %s)", start, oldestOpen);
        return start;
    }

    /** The index entry for a run in the given state (written by the orchestrator only). */
    public static ProducerRecord<String, Object> entry(RunSummary summary) {
        return new ProducerRecord<>(SpinTopic.RUNS.topicName(), summary.getRunId(), summary);
    }
}
