package io.spin.commons.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

import io.spin.contract.SpinTopic;

/**
 * Dead-letters undecodable records of one topic, each exactly once per consumer group, for topics whose readers
 * never pass records through a decoder that reports (a Streams global table, or a topic read only through its
 * snapshots). Commits only after a record has been checked (and, if bad, dead-lettered); its cost follows the new
 * records, never the topic's history. Tombstones are not errors.
 */
public final class TopicAudit<T> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TopicAudit.class);

    private final String bootstrap;
    private final String registryUrl;
    private final String producerId;
    private final SpinTopic topic;
    private final Class<T> type;
    private final String groupId;
    private final Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean stopping;

    public TopicAudit(String bootstrap, String registryUrl, String producerId, SpinTopic topic, Class<T> type, String groupId) {
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.producerId = producerId;
        this.topic = topic;
        this.type = type;
        this.groupId = groupId;
        this.thread = new Thread(this::run, topic.topicName() + "-audit");
        this.thread.setDaemon(true);
    }

    public TopicAudit<T> start() {
        thread.start();
        return this;
    }

    /** Audits until closed; after a failure (broker or registry away) it starts again from the last commit. */
    private void run() {
        while (!stopping) {
            try (RecordDecoder<T> decoder = new RecordDecoder<>(bootstrap, registryUrl, producerId, type);
                 KafkaConsumer<String, byte[]> c = newConsumer()) {
                consumer = c;
                if (stopping) {
                    return;
                }
                c.subscribe(List.of(topic.topicName()));
                while (true) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofSeconds(1))) {
                        if (r.value() != null) {
                            decoder.decode(r);
                        }
                    }
                    c.commitSync();
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf(e, "%s audit failed, starting again in 5 s: %s", topic.topicName(), e.getMessage());
                sleep(5_000);
            }
        }
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> config = TopicReader.rawConsumerConfig(bootstrap, topic.topicName() + "-audit");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(config);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopping = true;
        ControlLogFollower.stop(consumer, thread);
    }
}
