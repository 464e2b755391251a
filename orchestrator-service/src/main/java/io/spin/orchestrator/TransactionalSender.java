package io.spin.orchestrator;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

import io.spin.commons.kafka.ControlPublisher;

/**
 * Writes records atomically with one transactional producer (a restarted orchestrator fences its predecessor). A
 * producer that failed (fenced, a commit that timed out, an abort that failed: after any of these it cannot be
 * trusted) is closed and replaced by a new one, which aborts whatever its predecessor left open; until that works the
 * sender reports itself unhealthy. A transaction that failed is tried once more on the new producer: records are keyed
 * and events carry ids, so a repeat of a transaction that did commit is harmless.
 * <p>
 * Not SmallRye's {@code KafkaTransactions} (4.33), for two reasons read in its source: a commit that fails and is then
 * aborted completes the transaction's {@code Uni} with success ({@code commit().onFailure().recoverWithUni(abort)}), so
 * the orchestrator would apply decisions that were never written; and its producer is made once per channel and cannot
 * be replaced after a fatal error (a commit timed out while the broker was away), which left the channel unusable
 * until a restart, where this sender recovers by itself ({@code InfrastructureFaultsIT}).
 */
final class TransactionalSender implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TransactionalSender.class);

    private final Map<String, Object> config;
    private KafkaProducer<String, Object> producer;
    private volatile boolean healthy;

    TransactionalSender(String bootstrap, String registryUrl, String transactionalId) {
        config = new HashMap<>(ControlPublisher.producerConfig(bootstrap, registryUrl));
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // bounded: a broker that is away fails a step (tried again later) instead of blocking it for a minute
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    }

    /** True while the current producer is usable (or none has been needed yet). */
    boolean healthy() {
        return healthy;
    }

    /** Opens the producer at start; a failure here is retried by the next send. */
    synchronized void open() {
        try {
            producer();
        } catch (RuntimeException e) {
            LOG.warnf("transactional producer not ready yet: %s", e.getMessage());
        }
    }

    /** All the records, or none of them. */
    synchronized void send(List<ProducerRecord<String, Object>> records) {
        try {
            attempt(records, null, null);
        } catch (RuntimeException first) {
            LOG.warnf("transaction failed (%s); replacing the producer and trying once more", first);
            replace();
            try {
                attempt(records, null, null);
            } catch (RuntimeException second) {
                second.addSuppressed(first);
                replace();
                throw second;
            }
        }
    }

    /**
     * The records and a consumer's offsets, all or nothing (consume-transform-produce): what was read is marked read
     * only together with what was written for it. Not tried again here: a consumer whose transaction failed must go back
     * to its committed offsets before it writes again, so the caller starts over from there.
     */
    synchronized void send(List<ProducerRecord<String, Object>> records, Map<TopicPartition, OffsetAndMetadata> offsets,
                           ConsumerGroupMetadata group) {
        try {
            attempt(records, offsets, group);
        } catch (RuntimeException e) {
            replace();
            throw e;
        }
    }

    private void attempt(List<ProducerRecord<String, Object>> records, Map<TopicPartition, OffsetAndMetadata> offsets,
                         ConsumerGroupMetadata group) {
        KafkaProducer<String, Object> p = producer();
        p.beginTransaction();
        try {
            records.forEach(p::send);
            if (offsets != null) {
                p.sendOffsetsToTransaction(offsets, group);
            }
            p.commitTransaction();
        } catch (KafkaException | IllegalStateException e) {
            try {
                p.abortTransaction();
            } catch (RuntimeException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            throw e;
        }
    }

    private KafkaProducer<String, Object> producer() {
        if (producer == null) {
            KafkaProducer<String, Object> p = new KafkaProducer<>(config);
            try {
                p.initTransactions();
            } catch (RuntimeException e) {
                p.close(Duration.ZERO);
                healthy = false;
                throw e;
            }
            producer = p;
            healthy = true;
        }
        return producer;
    }

    /** Healthy stays as it was while the new producer opens (sends wait for it on this object's lock), then says whether it did. */
    private void replace() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
        try {
            producer();
        } catch (RuntimeException e) {
            LOG.warnf("could not open a new transactional producer yet: %s", e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
