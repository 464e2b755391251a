package io.spin.pairbuilder;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spin.commons.ControlEvents;
import io.spin.commons.Sha256;
import io.spin.commons.storage.ObjectStorage;
import io.spin.contract.CheckpointRef;
import io.spin.contract.ControlEvent;
import io.spin.contract.FinishReason;
import io.spin.contract.GeneratedSample;
import io.spin.contract.HumanResponse;
import io.spin.contract.IterationStarted;
import io.spin.contract.Keys;
import io.spin.contract.PairsCompleted;
import io.spin.contract.PreferencePair;
import io.spin.contract.SpinTopic;
import io.spin.stack.LocalStackResource;
import io.spin.stack.SharedStack;
import io.spin.stack.StackEndpoints;

/** The running service against the real broker, registry and S3 server. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class PairBuilderServiceTest {

    @Test
    void readinessIsUpWhenTheStreamsAppRuns() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void samplesBecomeOnePairEachAndACompletedIterationWithItsSnapshotInS3() throws Exception {
        StackEndpoints e = SharedStack.endpoints();
        String run = "run-" + UUID.randomUUID().toString().substring(0, 8);
        String dataset = "ds-" + run;
        ControlEvents events = new ControlEvents("test");
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, e.kafkaBootstrap(), ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class, "apicurio.registry.url", e.registryApiV3(),
                "apicurio.registry.auto-register", true))) {
            for (int p = 0; p < 5; p++) {
                producer.send(new ProducerRecord<>(SpinTopic.HUMAN_RESPONSES.topicName(), Keys.humanResponse(dataset, "p" + p),
                        HumanResponse.newBuilder().setDatasetId(dataset).setPromptId("p" + p).setPrompt("Define: w" + p)
                                .setResponse("gloss " + p).setSourceFile("t.jsonl").setSourceLine(p + 1).setProducerId("test").build()));
            }
            CheckpointRef policy = CheckpointRef.newBuilder().setId("x").setUri("s3://spin/x/").setManifestSha256("0".repeat(64)).build();
            producer.send(new ProducerRecord<>(SpinTopic.CONTROL.topicName(), run, events.of(run, IterationStarted.newBuilder()
                    .setIteration(0).setPolicy(policy).setPromptCount(5).setSamplesPerPrompt(2).setExpectedPairs(10).setBeta(0.1)
                    .setLearningRate(1e-4).build())));
            for (int round = 0; round < 2; round++) { // every sample delivered twice
                for (int p = 0; p < 5; p++) {
                    for (int s = 0; s < 2; s++) {
                        producer.send(new ProducerRecord<>(SpinTopic.SAMPLES.topicName(), Keys.sample(run, 0, "p" + p, s),
                                GeneratedSample.newBuilder().setRunId(run).setIteration(0).setDatasetId(dataset).setPromptId("p" + p)
                                        .setSampleIndex(s).setText(s == 0 ? "gloss " + p : "other").setTokenCount(6).setLogProb(-3.0)
                                        .setFinishReason(FinishReason.EOS).setPolicyId("x").setReplicaId("g").build()));
                    }
                }
            }
        }
        PairsCompleted completed = null;
        List<PreferencePair> pairs = new ArrayList<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(consumerConfig(e))) {
            consumer.subscribe(List.of(SpinTopic.CONTROL.topicName(), SpinTopic.PAIRS.topicName()));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (completed == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, SpecificRecord> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() instanceof PreferencePair pair && pair.getRunId().equals(run)) {
                        pairs.add(pair);
                    } else if (r.value() instanceof ControlEvent c && c.getRunId().equals(run) && c.getPayload() instanceof PairsCompleted pc) {
                        completed = pc;
                    }
                }
            }
            // anything still in flight would show up now
            consumer.poll(Duration.ofSeconds(2)).forEach(r -> {
                if (r.value() instanceof PreferencePair pair && pair.getRunId().equals(run)) {
                    pairs.add(pair);
                }
            });
        }
        assertTrue(completed != null, "PairsCompleted within 90 s");
        assertEquals(10, completed.getPairCount());
        assertEquals(10, pairs.size(), "exactly one pair per (prompt, sample) in the pairs topic");
        assertEquals(0.5, completed.getExactMatchRate(), 1e-12);
        ObjectStorage storage = new ObjectStorage(e.s3Endpoint(), e.s3AccessKey(), e.s3SecretKey(), e.bucket());
        byte[] snapshot = storage.getBytes(storage.keyOf(completed.getSnapshot().getUri()));
        assertEquals(completed.getSnapshot().getSha256(), Sha256.of(snapshot));
        assertEquals(10, new String(snapshot).lines().count());
    }

    private static Map<String, Object> consumerConfig(StackEndpoints e) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, e.kafkaBootstrap());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroKafkaDeserializer.class);
        config.put("apicurio.registry.url", e.registryApiV3());
        config.put("apicurio.registry.use-specific-avro-reader", true);
        return config;
    }
}
