package io.spin.commons.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.spin.contract.ControlEvent;
import io.spin.contract.SpinTopic;

/**
 * Event sourcing over the control topic: on start, reads it from where {@link StartAt} says (the oldest open run's
 * first event, for a service that folds run state) and hands every event to the handler as a replay, calls {@link Handler#caughtUp()} once the end offsets seen at start are reached, then hands
 * on live events. A service whose state is a fold of this log decides what to do only after catching up, so a
 * restart never repeats an action its log already records. Undecodable records are reported and skipped.
 */
public final class ControlLogFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControlLogFollower.class);

    public interface Handler {
        void apply(ControlEvent event, boolean replay);

        void caughtUp();

        default void undecodable(ConsumerRecord<String, byte[]> record, Exception error) {
            LOG.warnf("skipping undecodable control record %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), error);
        }

        /**
         * The log could not be followed {@link #ATTEMPTS} times in a row (each after a longer wait): the follower has
         * stopped. By default the process exits with status 1, so its supervisor restarts it and an operator sees the
         * restarts, rather than a service that looks up but hears nothing.
         */
        default void gaveUp(RuntimeException last) {
            Runtime.getRuntime().exit(1);
        }
    }

    /** Failures in a row, without a record got through between them, before the follower gives up. */
    public static final int ATTEMPTS = 10;

    /** Where a replay starts, per partition of the control topic (a partition not in the map: its beginning). */
    @FunctionalInterface
    public interface StartAt {
        Map<TopicPartition, Long> offsets(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer, List<TopicPartition> partitions);

        static StartAt beginning() {
            return (consumer, partitions) -> Map.of();
        }
    }

    private static final Duration REPORT_EVERY = Duration.ofSeconds(30);
    private final Map<String, Object> config;
    private final String registryUrl;
    private final Handler handler;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean caughtUp;
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final StartAt startAt;

    /** @param startAt where the replay starts ({@link RunIndex#replayStart()}: from the oldest open run) */
    public ControlLogFollower(String bootstrap, String registryUrl, String name, Handler handler, StartAt startAt) {
        this.startAt = startAt;
        this.registryUrl = registryUrl;
        this.handler = handler;
        this.config = TopicReader.rawConsumerConfig(bootstrap, name + "-control");
        this.thread = new Thread(this::run, name + "-control-log");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public boolean isCaughtUp() {
        return caughtUp;
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    private void run() {
        AvroKafkaDeserializer<Object> values = new AvroKafkaDeserializer<>();
        values.configure(Map.of("apicurio.registry.url", registryUrl, "apicurio.registry.use-specific-avro-reader", true), false);
        int failures = 0;
        while (running.get()) {
            Map<TopicPartition, Long> before = new HashMap<>(positions);
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config)) {
                consumer = c;
                follow(c, values);
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (!running.get()) {
                    return;
                }
                failures = positions.equals(before) ? failures + 1 : 1; // a record got through: a new run of failures
                if (failures >= ATTEMPTS) {
                    LOG.errorf(e, "control log follower failed %d times in a row at the same place; giving up", failures);
                    running.set(false);
                    handler.gaveUp(e);
                    return;
                }
                long wait = backOffMs(failures);
                LOG.warnf(e, "control log follower failed (%d of %d in a row); restarting it in %d ms", failures, ATTEMPTS, wait);
                sleep(wait);
            }
        }
    }

    /** 2, 4, 8 ... seconds, at most a minute. */
    static long backOffMs(int failures) {
        return Math.min(60_000L, 1000L << Math.min(Math.max(failures, 1), 6));
    }

    private void follow(KafkaConsumer<String, byte[]> c, AvroKafkaDeserializer<Object> values) {
        List<TopicPartition> partitions = c.partitionsFor(SpinTopic.CONTROL.topicName(), Duration.ofSeconds(60)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        c.assign(partitions);
        c.seekToBeginning(partitions);
        if (positions.isEmpty()) {
            startAt.offsets(c, partitions).forEach(c::seek);
        }
        // after a reconnect, go on exactly where the last consumer stopped
        positions.forEach(c::seek);
        Map<TopicPartition, Long> end = caughtUp ? Map.of() : new HashMap<>(c.endOffsets(partitions));
        long reportAt = System.nanoTime() + REPORT_EVERY.toNanos();
        while (running.get()) {
            if (!caughtUp && System.nanoTime() > reportAt) {
                // a replay that takes long says where it is, so a start-up that seems stuck shows why
                StringBuilder where = new StringBuilder();
                end.forEach((tp, last) -> where.append(" ").append(tp.partition()).append(": ").append(c.position(tp)).append("/").append(last));
                LOG.infof("replaying the control log, position/end per partition:%s", where);
                reportAt = System.nanoTime() + REPORT_EVERY.toNanos();
            }
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                boolean replay = !caughtUp;
                Object value;
                try {
                    value = values.deserialize(r.topic(), r.headers(), r.value());
                } catch (RuntimeException e) {
                    if (RegistryOutage.isOutage(e)) {
                        // not bad data: stop here and start again at this record once the registry answers
                        throw new IllegalStateException("schema registry unreachable at control record " + r.partition() + "@" + r.offset(), e);
                    }
                    handler.undecodable(r, e);
                    value = null;
                }
                if (value instanceof ControlEvent event) {
                    handler.apply(event, replay);
                }
                positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
            }
            if (!caughtUp && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                caughtUp = true;
                handler.caughtUp();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running.set(false);
        stop(consumer, thread);
    }

    /** Wakes a consumer out of its poll and waits (bounded) for the thread that polls it to end. */
    public static void stop(KafkaConsumer<?, ?> consumer, Thread thread) {
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
