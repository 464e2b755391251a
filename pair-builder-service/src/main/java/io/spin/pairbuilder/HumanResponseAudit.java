package io.spin.pairbuilder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.RecordDecoder;
import io.spin.commons.kafka.TopicReader;
import io.spin.contract.HumanResponse;
import io.spin.contract.SpinTopic;

/**
 * Dead-letters undecodable records of the human-responses topic, each exactly once per consumer group.
 * The topology reads that topic as a global table, and Kafka Streams loads a global table's records at start-up
 * without passing them through the deserialization handler, so a bad record there would never be reported.
 * This consumer commits only after a record has been checked (and, if bad, dead-lettered).
 */
@ApplicationScoped
public class HumanResponseAudit {
    private static final Logger LOG = Logger.getLogger(HumanResponseAudit.class.getName());

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "spin.registry-url")
    String registryUrl;
    @ConfigProperty(name = "spin.pair-builder.audit-group", defaultValue = "spin-pair-builder-human-responses-audit")
    String groupId;

    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean stopping;
    private Thread thread;

    void start(@Observes StartupEvent ignored, ControlEvents events) {
        thread = new Thread(() -> run(events.producerId()), "human-responses-audit");
        thread.setDaemon(true);
        thread.start();
    }

    /** Audits until shut down; after a failure (broker or registry away) it starts again from the last commit. */
    private void run(String producerId) {
        while (!stopping) {
            try (RecordDecoder<HumanResponse> decoder = new RecordDecoder<>(bootstrap, registryUrl, producerId, HumanResponse.class);
                 KafkaConsumer<String, byte[]> c = newConsumer()) {
                consumer = c;
                if (stopping) {
                    return;
                }
                c.subscribe(List.of(SpinTopic.HUMAN_RESPONSES.topicName()));
                while (true) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofSeconds(1))) {
                        if (r.value() != null) { // a tombstone deletes a prompt's response; it is not an error
                            decoder.decode(r);
                        }
                    }
                    c.commitSync();
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "human-responses audit failed, starting again in 5 s: " + e.getMessage(), e);
                sleep(5_000);
            }
        }
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> config = TopicReader.rawConsumerConfig(bootstrap, "human-responses-audit");
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

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        stopping = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.join(10_000);
        }
    }
}
