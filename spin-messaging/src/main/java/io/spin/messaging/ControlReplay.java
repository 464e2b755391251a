package io.spin.messaging;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Default;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.spin.commons.kafka.LastRecords;
import io.spin.commons.kafka.RunIndex;
import io.spin.contract.ControlEvent;
import io.spin.runtime.SpinConfig;

/**
 * Event sourcing over the control channel of a service that folds run state
 * ({@code consumer-rebalance-listener.name=spin-control-replay}, in a consumer group of the instance's own).
 * <p>
 * On the first assignment it loads the run index ({@link IndexLoaded}), seeks each partition to where the replay starts
 * (the oldest open run's first event: start-up does not grow with finished runs) and notes the last record before the
 * end offsets ({@link LastRecords}: a transactional log's end lies past its commit markers); on a later
 * assignment it resumes each partition where this instance stopped. The channel's method hands each record to
 * {@link #follow}, which tells the handler whether the event is part of the replay and fires {@link CaughtUp} once the
 * end offsets seen at the first assignment are reached. A service decides what to do only after catching up, so a
 * restart never repeats an action its log already records.
 */
@ApplicationScoped
@Identifier("spin-control-replay")
@Default // the services inject it plainly too
public class ControlReplay implements KafkaConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(ControlReplay.class);
    private static final java.time.Duration REPORT_EVERY = java.time.Duration.ofSeconds(30);

    /** What the service does with an event of the control log. */
    @FunctionalInterface
    public interface Handler {
        void apply(ControlEvent event, boolean replay);
    }

    /** The run index as read at start, before the replay's first event. */
    public record IndexLoaded(RunIndex index) {
    }

    /** The replay reached the end offsets seen at start: what follows is live. */
    public record CaughtUp() {
    }

    @Inject
    SpinConfig config;
    @Inject
    Event<IndexLoaded> indexLoaded;
    @Inject
    Event<CaughtUp> caughtUpEvent;

    private final Map<TopicPartition, Long> start = new ConcurrentHashMap<>();
    /** Partitions whose replay has not applied the last record seen at start: the offset after that record. */
    private final Map<TopicPartition, Long> replaying = new ConcurrentHashMap<>();
    /** The next offset to apply, per partition. */
    private final Map<TopicPartition, Long> next = new ConcurrentHashMap<>();
    private final AtomicBoolean caughtUp = new AtomicBoolean();
    private volatile boolean started;
    private volatile long reportAt = System.nanoTime() + REPORT_EVERY.toNanos();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!started) {
            RunIndex index = RunIndex.load(config.kafkaBootstrap(), config.registryApiUrl());
            indexLoaded.fire(new IndexLoaded(index));
            consumer.seekToBeginning(partitions);
            start.putAll(index.replayStart(consumer, partitions));
            start.forEach(consumer::seek);
            Map<TopicPartition, Long> from = new HashMap<>();
            partitions.forEach(tp -> from.put(tp, consumer.position(tp)));
            // caught up = the last record before the end offsets applied (the ends lie past transaction markers)
            LastRecords.between(config.kafkaBootstrap(), from, consumer.endOffsets(partitions))
                    .forEach((tp, last) -> replaying.put(tp, last + 1));
            started = true;
            LOG.infof("replaying the control log up to %s", replaying);
            checkCaughtUp();
        } else {
            // the same instance again (a rebalance): go on exactly where it stopped, or where its replay began
            partitions.forEach(tp -> {
                Long at = next.getOrDefault(tp, start.get(tp));
                if (at != null) {
                    consumer.seek(tp, at);
                }
            });
        }
    }

    /**
     * Hands a control record to the handler and acks it. A record that is not a control event (another type, or one
     * that does not decode) is skipped: the log's writer dead-letters those.
     */
    public CompletionStage<Void> follow(Message<Object> message, Handler handler) {
        return follow(message, handler, false);
    }

    /** As {@link #follow}, for the log's one writer: a record that is not a control event is nacked to the channel's dead-letter strategy. */
    public CompletionStage<Void> followAsWriter(Message<Object> message, Handler handler) {
        return follow(message, handler, true);
    }

    private CompletionStage<Void> follow(Message<Object> message, Handler handler, boolean deadLetter) {
        boolean replay = !caughtUp.get();
        Object payload = message.getPayload();
        if (payload instanceof ControlEvent event) {
            handler.apply(event, replay);
        }
        message.getMetadata(IncomingKafkaRecordMetadata.class).ifPresent(m -> applied(new TopicPartition(m.getTopic(), m.getPartition()), m.getOffset()));
        RuntimeException failure = payload instanceof ControlEvent ? null : ContractDeserialization.failure(message)
                .orElse(payload == null ? null : new IllegalArgumentException("not a control event: " + payload.getClass().getSimpleName()));
        if (failure == null) {
            return message.ack();
        }
        if (deadLetter) {
            return message.nack(failure);
        }
        LOG.warnf("skipping a control record that is not a control event: %s", failure.getMessage());
        return message.ack();
    }

    void applied(TopicPartition partition, long offset) {
        next.put(partition, offset + 1);
        if (!caughtUp.get() && System.nanoTime() > reportAt) {
            // a replay that takes long says where it is, so a start-up that seems stuck shows why
            LOG.infof("replaying the control log: next offset %s, replay ends at %s", next, replaying);
            reportAt = System.nanoTime() + REPORT_EVERY.toNanos();
        }
        Long end = replaying.get(partition);
        if (end != null && offset + 1 >= end) {
            replaying.remove(partition);
            checkCaughtUp();
        }
    }

    private void checkCaughtUp() {
        if (started && replaying.isEmpty() && caughtUp.compareAndSet(false, true)) {
            caughtUpEvent.fire(new CaughtUp());
        }
    }

    public boolean isCaughtUp() {
        return caughtUp.get();
    }
}
