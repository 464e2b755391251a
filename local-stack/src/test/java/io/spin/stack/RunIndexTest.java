package io.spin.stack;

import io.spin.commons.stack.StackEndpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.commons.kafka.RunIndex;
import io.spin.commons.kafka.TopicReader;
import io.spin.contract.ControlEvent;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunEndStatus;
import io.spin.contract.RunStatus;
import io.spin.contract.RunSummary;
import io.spin.contract.SftRequested;
import io.spin.contract.SpinTopic;

/** Start-up from the run index against the real broker: a replay starts at the oldest open run, never before. */
class RunIndexTest {
    private final StackEndpoints stack = SharedStack.endpoints();
    private final ControlEvents events = new ControlEvents("run-index-test");

    @Test
    void theReplayStartsAtTheOldestOpenRunAndAtTheEndWhenNoneIsOpen() throws Exception {
        String ended = "ended-" + UUID.randomUUID();
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(ControlPublisher.producerConfig(stack.kafkaBootstrap(), stack.registryApiV3()))) {
            RecordMetadata first = send(producer, ended, SftRequested.newBuilder().build());
            send(producer, ended, RunCompleted.newBuilder().setStatus(RunEndStatus.COMPLETED).setStopReason("done").setIterationsCompleted(0).build());
            String open = sameControlPartition(ended);
            Thread.sleep(20); // a later millisecond than every record of the ended run
            ControlEvent request = events.of(open, SftRequested.newBuilder().build());
            RecordMetadata opened = producer.send(new ProducerRecord<>(SpinTopic.CONTROL.topicName(), open, request)).get();
            send(producer, ended, SftRequested.newBuilder().build()); // a straggler of the ended run, after the open one began
            TopicPartition partition = new TopicPartition(SpinTopic.CONTROL.topicName(), opened.partition());
            assertEquals(first.partition(), opened.partition());

            Map<TopicPartition, Long> end = endOffsets();
            Map<String, RunSummary> runs = new HashMap<>();
            runs.put(ended, summary(ended, RunStatus.COMPLETED, Instant.ofEpochMilli(first.timestamp())));
            assertEquals(end, start(new RunIndex(runs, end, Duration.ZERO)), "no open run: the replay starts at the end");

            runs.put(open, summary(open, RunStatus.RUNNING, request.getTimestamp()));
            Map<TopicPartition, Long> start = start(new RunIndex(runs, end, Duration.ZERO));
            assertEquals(opened.offset(), start.get(partition), "the open run's first record, not the ended run's history");
            start.forEach((tp, offset) -> {
                if (!tp.equals(partition)) {
                    assertEquals(true, offset <= end.get(tp), tp + " starts at or before the end");
                }
            });
            assertEquals(true, start(new RunIndex(runs, end, Duration.ofMinutes(5))).get(partition) <= first.offset(),
                    "the clock margin reaches back over the ended run");
            assertEquals(true, new RunIndex(Map.of(), end, Duration.ZERO).isEmpty());
            assertEquals(Map.of(), start(new RunIndex(Map.of(), end, Duration.ZERO)), "an empty index: no seek, the whole log");
        }
    }

    @Test
    void aRunsHistoryIsReadFromItsPartitionFromItsRequestOn() throws Exception {
        String run = "history-" + UUID.randomUUID();
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(ControlPublisher.producerConfig(stack.kafkaBootstrap(), stack.registryApiV3()))) {
            RecordMetadata first = send(producer, run, SftRequested.newBuilder().build());
            send(producer, run, RunCompleted.newBuilder().setStatus(RunEndStatus.CANCELLED).setStopReason("cancelled").setIterationsCompleted(0).build());
            producer.send(RunIndex.entry(summary(run, RunStatus.CANCELLED, Instant.ofEpochMilli(first.timestamp())))).get();
        }
        List<ControlEvent> history = new TopicReader(stack.kafkaClientConfig(), stack.registryApiV3()).runHistory(run);
        assertEquals(List.of("SftRequested", "RunCompleted"), history.stream().map(e -> e.getPayload().getClass().getSimpleName()).toList());
    }

    private RecordMetadata send(KafkaProducer<String, Object> producer, String run, Object payload) throws Exception {
        return producer.send(new ProducerRecord<>(SpinTopic.CONTROL.topicName(), run, events.of(run, payload))).get();
    }

    private static RunSummary summary(String run, RunStatus status, Instant requestedAt) {
        return RunSummary.newBuilder().setRunId(run).setStatus(status).setRequestedAt(requestedAt).setIterations(1).build();
    }

    /** A run id whose records land in the same control partition as {@code other}'s. */
    private String sameControlPartition(String other) {
        int partitions;
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            partitions = c.partitionsFor(SpinTopic.CONTROL.topicName()).size();
        }
        while (true) {
            String candidate = "open-" + UUID.randomUUID();
            if (partition(candidate, partitions) == partition(other, partitions)) {
                return candidate;
            }
        }
    }

    private static int partition(String key, int partitions) {
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key.getBytes())) % partitions;
    }

    private Map<TopicPartition, Long> endOffsets() {
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            return new HashMap<>(c.endOffsets(partitions(c)));
        }
    }

    private Map<TopicPartition, Long> start(RunIndex index) {
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            return new HashMap<>(index.replayStart(c, partitions(c)));
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        return c.partitionsFor(SpinTopic.CONTROL.topicName()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    @Test
    void theLastRecordBeforeAnEndThatLiesPastTransactionMarkers() throws Exception {
        Map<String, Object> config = new HashMap<>(ControlPublisher.producerConfig(stack.kafkaBootstrap(), stack.registryApiV3()));
        config.put(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, "last-records-test-" + UUID.randomUUID());
        String run = "last-" + UUID.randomUUID();
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(config)) {
            producer.initTransactions();
            producer.beginTransaction();
            RecordMetadata first = producer.send(new ProducerRecord<>(SpinTopic.CONTROL.topicName(), run, events.of(run, SftRequested.newBuilder().build()))).get();
            RecordMetadata last = producer.send(new ProducerRecord<>(SpinTopic.CONTROL.topicName(), run, events.of(run, SftRequested.newBuilder().build()))).get();
            producer.commitTransaction();
            producer.beginTransaction(); // aborted: a committed-records reader never gets it
            producer.send(new ProducerRecord<>(SpinTopic.CONTROL.topicName(), run, events.of(run, SftRequested.newBuilder().build()))).get();
            producer.abortTransaction();
            TopicPartition tp = new TopicPartition(SpinTopic.CONTROL.topicName(), last.partition());
            long end = endOffsets().get(tp);
            // last record, commit marker, aborted record, abort marker: the end lies 4 past the last record
            assertEquals(last.offset() + 4, end);
            assertEquals(Map.of(tp, last.offset()), io.spin.commons.kafka.LastRecords.between(stack.kafkaBootstrap(), Map.of(tp, first.offset()), Map.of(tp, end)));
            assertEquals(Map.of(), io.spin.commons.kafka.LastRecords.between(stack.kafkaBootstrap(), Map.of(tp, last.offset() + 1), Map.of(tp, end)),
                    "only markers and aborted records from there: no record");
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(TopicReader.rawConsumerConfig(stack.kafkaBootstrap(), "run-index-test"));
    }
}
