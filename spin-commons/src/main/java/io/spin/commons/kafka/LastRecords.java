package io.spin.commons.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The offset of the last record of each partition between a start and an end offset. A transactional topic's end
 * offset lies past its commit markers, which a consumer never gets as records, so a reader that replays up to an end
 * is caught up once it has applied that last record, not once an applied offset reaches the end. Found by reading
 * back from the end in growing windows (markers are a few offsets at most), committed records only.
 */
public final class LastRecords {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private LastRecords() {
    }

    /** The last record's offset per partition; a partition with no record in [start, end) is absent. */
    public static Map<TopicPartition, Long> between(String bootstrap, Map<TopicPartition, Long> start, Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> last = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(TopicReader.rawConsumerConfig(bootstrap, "last-records"))) {
            end.forEach((tp, to) -> {
                long from = start.getOrDefault(tp, 0L);
                for (long window = 16; to > from; window *= 4) {
                    long windowStart = Math.max(from, to - window);
                    Long found = lastIn(c, tp, windowStart, to);
                    if (found != null) {
                        last.put(tp, found);
                        return;
                    }
                    if (windowStart == from) {
                        return;
                    }
                }
            });
        }
        return last;
    }

    private static Long lastIn(KafkaConsumer<String, byte[]> c, TopicPartition tp, long from, long to) {
        c.assign(List.of(tp));
        c.seek(tp, from);
        Long last = null;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (c.position(tp) < to) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(tp + ": could not read up to offset " + to + " within " + PATIENCE.toSeconds() + " s");
            }
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                if (r.offset() < to) {
                    last = r.offset();
                }
            }
        }
        return last;
    }
}
