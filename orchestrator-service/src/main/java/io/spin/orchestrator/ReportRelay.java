package io.spin.orchestrator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.spin.commons.kafka.RegistryOutage;
import io.spin.commons.kafka.TopicReader;
import io.spin.contract.ControlEvent;
import io.spin.contract.ServicePrincipal;

/**
 * Reads every service's report topic and hands each poll's reports to the orchestrator, which writes what it decides
 * for them (control events, dead letters) together with this consumer's offsets in one transaction: a report is
 * appended exactly once, and a crash anywhere repeats nothing. After a failure the consumer is replaced and reads on
 * from the committed offsets. It starts reading once the orchestrator is ready (the control log replayed), since a
 * report is judged against the run it names.
 * <p>
 * A plain consumer rather than a SmallRye channel: exactly-once consume-transform-produce goes through the
 * {@link TransactionalSender} (see why not {@code KafkaTransactions} there), and after a failed transaction the relay
 * must go back to its committed offsets before it reads anything else, which a channel's prefetched records would not.
 */
final class ReportRelay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReportRelay.class);

    /** What the orchestrator does with the reports. */
    interface Judge {
        /** The records to write for one report: what it decided (nothing, a control event, a dead letter). */
        List<ProducerRecord<String, Object>> judge(ServicePrincipal reporter, ConsumerRecord<String, byte[]> record, ControlEvent report,
                                                   RuntimeException undecodable);

        /** Writes the records with the offsets in one transaction, then applies what it appended. */
        void commit(List<ProducerRecord<String, Object>> records, Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group);
    }

    private final Map<String, Object> config;
    private final String registryUrl;
    private final Judge judge;
    private final BooleanSupplier ready;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread = new Thread(this::run, "orchestrator-reports");
    private volatile KafkaConsumer<String, byte[]> consumer;

    ReportRelay(String bootstrap, String registryUrl, String group, Judge judge, BooleanSupplier ready) {
        this.config = TopicReader.rawConsumerConfig(bootstrap, group);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.registryUrl = registryUrl;
        this.judge = judge;
        this.ready = ready;
        thread.setDaemon(true);
    }

    ReportRelay start() {
        thread.start();
        return this;
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    private void run() {
        AvroKafkaDeserializer<Object> values = new AvroKafkaDeserializer<>();
        values.configure(Map.of("apicurio.registry.url", registryUrl, "apicurio.registry.use-specific-avro-reader", true), false);
        int failures = 0;
        while (running.get()) {
            if (!ready.getAsBoolean()) {
                sleep(200);
                continue;
            }
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config)) {
                consumer = c;
                c.subscribe(reportTopics());
                while (running.get()) {
                    relay(c, values);
                    failures = 0;
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (!running.get()) {
                    return;
                }
                failures++;
                long wait = Math.min(30_000L, 500L << Math.min(failures, 6));
                LOG.warnf(e, "relaying reports failed (%d in a row); reading again from the committed offsets in %d ms", failures, wait);
                sleep(wait);
            }
        }
    }

    private void relay(KafkaConsumer<String, byte[]> c, AvroKafkaDeserializer<Object> values) {
        var polled = c.poll(Duration.ofMillis(200));
        if (polled.isEmpty()) {
            return;
        }
        List<ProducerRecord<String, Object>> out = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : polled) {
            ControlEvent report = null;
            RuntimeException undecodable = null;
            try {
                Object value = values.deserialize(r.topic(), r.headers(), r.value());
                if (value instanceof ControlEvent event) {
                    report = event;
                } else {
                    undecodable = new IllegalArgumentException("a report must be a ControlEvent, not " + describe(value));
                }
            } catch (RuntimeException e) {
                if (RegistryOutage.isOutage(e)) {
                    throw new IllegalStateException("schema registry unreachable at report " + r.topic() + "-" + r.partition() + "@" + r.offset(), e);
                }
                undecodable = e;
            }
            out.addAll(judge.judge(ServicePrincipal.reportingOn(r.topic()), r, report, undecodable));
            offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        judge.commit(out, offsets, c.groupMetadata());
    }

    private static String describe(Object value) {
        return value == null ? "an empty value" : value.getClass().getName();
    }

    static List<String> reportTopics() {
        List<String> topics = new ArrayList<>();
        for (ServicePrincipal p : ServicePrincipal.values()) {
            if (p.reportTopic() != null) {
                topics.add(p.reportTopic().topicName());
            }
        }
        return topics;
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
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup(); // out of its poll
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
