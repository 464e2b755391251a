package io.spin.e2e;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.commons.kafka.TopicReader;
import io.spin.contract.CancelRequested;
import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.ControlEvent;
import io.spin.contract.DeadLetter;
import io.spin.contract.RunFailed;
import io.spin.contract.ServicePrincipal;
import io.spin.contract.SpinTopic;
import io.spin.contract.TrainingMetrics;
import io.spin.commons.stack.StackEndpoints;

/**
 * A compromised generator, with its own credentials, trying to decide a run's fate: a cancellation and a failure
 * written to the control log (the broker refuses both: the orchestrator alone writes there), and a cancellation and
 * a checkpoint of its choosing reported on its own topic (the orchestrator refuses both, to the dead-letter topic).
 */
final class Forgery {
    private final StackEndpoints endpoints;
    private final String runId;
    private final ControlEvents events = new ControlEvents("generator-forged");

    Forgery(StackEndpoints endpoints, String runId) {
        this.endpoints = endpoints;
        this.runId = runId;
    }

    /** Tries all four while the run is in flight; asserts the broker refused the two on the control log. */
    void attempt() throws Exception {
        Map<String, Object> config = new HashMap<>(endpoints.kafkaClientConfig(ServicePrincipal.GENERATOR));
        config.putAll(ControlPublisher.serializerConfig(endpoints.registryApiV3()));
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        CheckpointRef chosen = CheckpointRef.newBuilder().setId(runId + "/iter-0").setUri("s3://spin/forged/checkpoint/")
                .setManifestSha256("00".repeat(32)).build();
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(config)) {
            for (Object payload : List.of(CancelRequested.newBuilder().build(),
                    RunFailed.newBuilder().setComponent("orchestrator").setReason("forged").build())) {
                ExecutionException refused = assertThrows(ExecutionException.class, () -> producer.send(new ProducerRecord<>(
                        SpinTopic.CONTROL.topicName(), runId, events.of(runId, payload))).get(30, TimeUnit.SECONDS),
                        "a generator writes " + payload.getClass().getSimpleName() + " to the control log");
                assertInstanceOf(TopicAuthorizationException.class, refused.getCause());
            }
            String reports = ServicePrincipal.GENERATOR.reportTopic().topicName();
            producer.send(new ProducerRecord<>(reports, runId, events.of(runId, CancelRequested.newBuilder().build()))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(reports, runId, events.of(runId, CheckpointReady.newBuilder().setIteration(-1).setCheckpoint(chosen)
                    .setTraining(TrainingMetrics.newBuilder().setSteps(1).setLoss(0).build()).build()))).get(30, TimeUnit.SECONDS);
        }
    }

    /** After the run: the two reports are dead letters naming why, and no event of the forger's reached the log. */
    void assertRefused(TopicReader reader) {
        List<String> errors = new ArrayList<>();
        reader.<Object>readAll(SpinTopic.DEAD_LETTERS.topicName(), r -> {
            if (r.value() instanceof DeadLetter letter && letter.getSourceTopic().equals(ServicePrincipal.GENERATOR.reportTopic().topicName())
                    && runId.equals(r.key())) {
                errors.add(letter.getError());
            }
        });
        assertTrue(errors.stream().anyMatch(e -> e.contains("spin-generator may not report CancelRequested")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.contains("spin-generator may not report CheckpointReady")), errors.toString());
        for (ControlEvent event : reader.runHistory(runId)) {
            assertTrue(!event.getProducerId().equals("generator-forged"), "a forged event reached the log: " + event);
        }
    }
}
