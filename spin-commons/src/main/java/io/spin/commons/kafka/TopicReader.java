package io.spin.commons.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.spin.contract.ControlEvent;
import io.spin.contract.SpinTopic;

/**
 * Reads a whole topic, from the beginning up to its end offsets at the time of the call, with no consumer group
 * (nothing committed, any number of readers). Only committed records are read (transactions and exactly-once writers
 * are respected). A record that does not decode is skipped and counted: its owner sends it to the dead-letter topic.
 */
public final class TopicReader {
    private final Map<String, Object> kafka;
    private final String registryUrl;

    public TopicReader(String bootstrap, String registryUrl) {
        this(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), registryUrl);
    }

    /** Reads with these client settings (bootstrap servers and credentials), e.g. a stack's other than this process's. */
    public TopicReader(Map<String, Object> kafka, String registryUrl) {
        this.kafka = Map.copyOf(kafka);
        this.registryUrl = registryUrl;
    }

    /** What a read saw. */
    public record Summary(long records, long undecodable) {
    }

    /** Passes every decodable record of the topic to the sink, partition by partition in offset order. */
    public <V> Summary readAll(String topic, Consumer<ConsumerRecord<String, V>> sink) {
        return readAll(topic, sink, (record, error) -> { });
    }

    /** As {@link #readAll(String, Consumer)}, and hands every record that does not decode to {@code undecodable}. */
    public <V> Summary readAll(String topic, Consumer<ConsumerRecord<String, V>> sink,
                               java.util.function.BiConsumer<ConsumerRecord<String, byte[]>, Exception> undecodable_) {
        return read(topic, p -> true, null, sink, undecodable_);
    }

    /**
     * As {@link #readAll}, over the chosen partitions only and, with {@code from}, from the first record written at or
     * after that time.
     */
    <V> Summary read(String topic, java.util.function.IntPredicate partitionFilter, java.time.Instant from,
                     Consumer<ConsumerRecord<String, V>> sink,
                     java.util.function.BiConsumer<ConsumerRecord<String, byte[]>, Exception> undecodable_) {
        return read(topic, partitionFilter, from, Map.of(), key -> true, sink, undecodable_, () -> false);
    }

    /**
     * The records of one stretch of a topic: each partition from its offset in {@code startAt} (a partition not in it:
     * from {@code from}'s time, or its beginning), up to the topic's end at the time of the call or until {@code done}
     * says so (asked after each batch), whichever comes first. Only records whose key {@code keys} accepts are decoded
     * and passed on (the others cost their bytes, not a decode). Reading one run's iteration this way costs what that
     * iteration holds, however much history lies before or after it.
     */
    public <V> Summary readRange(String topic, Map<Integer, Long> startAt, java.time.Instant from, java.util.function.Predicate<String> keys,
                                 Consumer<ConsumerRecord<String, V>> sink, java.util.function.BooleanSupplier done) {
        return read(topic, p -> true, from, startAt, keys, sink, (r, e) -> { }, done);
    }

    @SuppressWarnings("unchecked")
    private <V> Summary read(String topic, java.util.function.IntPredicate partitionFilter, java.time.Instant from, Map<Integer, Long> startAt,
                             java.util.function.Predicate<String> keys, Consumer<ConsumerRecord<String, V>> sink,
                             java.util.function.BiConsumer<ConsumerRecord<String, byte[]>, Exception> undecodable_,
                             java.util.function.BooleanSupplier done) {
        long records = 0;
        long undecodable = 0;
        var undecodableSink = undecodable_;
        AvroKafkaDeserializer<Object> values = new AvroKafkaDeserializer<>();
        values.configure(Map.of("apicurio.registry.url", registryUrl, "apicurio.registry.use-specific-avro-reader", true), false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .filter(p -> partitionFilter.test(p.partition()))
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
            if (from != null) {
                Map<TopicPartition, Long> at = new HashMap<>();
                partitions.stream().filter(tp -> !startAt.containsKey(tp.partition())).forEach(tp -> at.put(tp, from.toEpochMilli()));
                consumer.offsetsForTimes(at).forEach((tp, found) -> consumer.seek(tp, found == null ? end.get(tp) : found.offset()));
            }
            for (TopicPartition tp : partitions) {
                Long offset = startAt.get(tp.partition());
                if (offset != null) {
                    consumer.seek(tp, Math.min(offset, end.get(tp)));
                }
            }
            end.entrySet().removeIf(e -> e.getValue() == 0 || consumer.position(e.getKey()) >= e.getValue());
            while (!end.isEmpty() && !done.getAsBoolean()) {
                for (ConsumerRecord<String, byte[]> raw : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(raw.topic(), raw.partition());
                    Long stop = end.get(tp);
                    if (stop == null || raw.offset() >= stop) {
                        continue;
                    }
                    records++;
                    if (!keys.test(raw.key())) {
                        continue;
                    }
                    Object value;
                    try {
                        value = raw.value() == null ? null
                                : RegistryOutage.await(() -> values.deserialize(raw.topic(), raw.headers(), raw.value()), Duration.ofMinutes(2));
                    } catch (RuntimeException e) {
                        if (RegistryOutage.isOutage(e)) {
                            throw new IllegalStateException("the schema registry is unreachable while reading " + topic, e);
                        }
                        undecodable++;
                        value = null;
                        undecodableSink.accept(raw, e);
                    }
                    if (value != null) {
                        sink.accept(new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), raw.key(), (V) value));
                    }
                }
                for (TopicPartition tp : new ArrayList<>(end.keySet())) {
                    if (consumer.position(tp) >= end.get(tp)) {
                        end.remove(tp);
                    }
                }
            }
        } catch (RecordDeserializationException e) {
            throw new IllegalStateException("unexpected key decoding failure on " + topic + ": " + e.getMessage(), e);
        } finally {
            values.close();
        }
        return new Summary(records, undecodable);
    }

    /**
     * Every control event of one run, in the order written. The run's key keeps its events in one partition; the run
     * index says when it was requested, so only that partition is read, from then on (a run the index does not know
     * is looked for in the whole log).
     */
    public List<ControlEvent> runHistory(String runId) {
        List<ControlEvent> events = new ArrayList<>();
        Consumer<ConsumerRecord<String, Object>> sink = r -> {
            if (runId.equals(r.key()) && r.value() instanceof ControlEvent e && runId.equals(e.getRunId())) {
                events.add(e);
            }
        };
        io.spin.contract.RunSummary[] indexed = new io.spin.contract.RunSummary[1];
        this.<Object>readAll(SpinTopic.RUNS.topicName(), r -> {
            if (runId.equals(r.key()) && r.value() instanceof io.spin.contract.RunSummary s) {
                indexed[0] = s;
            }
        });
        if (indexed[0] == null) {
            readAll(SpinTopic.CONTROL.topicName(), sink);
        } else {
            int partition = controlPartition(runId);
            read(SpinTopic.CONTROL.topicName(), p -> p == partition, indexed[0].getRequestedAt().minus(RunIndex.CLOCK_MARGIN), sink, (r, e) -> { });
        }
        return events;
    }

    /** Where each partition of the topic ends now (committed records: the last stable offset). */
    public List<io.spin.contract.PartitionOffsets> endOffsets(SpinTopic topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.topicName(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            List<io.spin.contract.PartitionOffsets> ends = new ArrayList<>();
            consumer.endOffsets(partitions, Duration.ofSeconds(30)).forEach((tp, end) -> ends.add(new io.spin.contract.PartitionOffsets(tp.partition(), end)));
            ends.sort(java.util.Comparator.comparingInt(io.spin.contract.PartitionOffsets::getPartition));
            return ends;
        }
    }

    /** The partition the default partitioner gives a run's key (the control topic never grows, so it stays there). */
    private int controlPartition(String runId) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config())) {
            int partitions = consumer.partitionsFor(SpinTopic.CONTROL.topicName(), Duration.ofSeconds(30)).size();
            byte[] key = runId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % partitions;
        }
    }

    private Map<String, Object> config() {
        Map<String, Object> config = rawConsumerConfig((String) kafka.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG), "spin-reader");
        config.putAll(kafka); // its own credentials, when given, over this process's
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return config;
    }

    /**
     * What every SPIN consumer that decodes for itself starts from: committed records only, String keys, raw value
     * bytes (so a record that does not decode can be dead-lettered as it was), offsets committed by the caller.
     */
    public static Map<String, Object> rawConsumerConfig(String bootstrap, String clientIdPrefix) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + UUID.randomUUID().toString().substring(0, 8));
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, io.spin.contract.Limits.RECORD_BYTES);
        return new HashMap<>(io.spin.contract.KafkaCredentials.secured(config));
    }
}
