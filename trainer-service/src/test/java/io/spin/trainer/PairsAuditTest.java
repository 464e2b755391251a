package io.spin.trainer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.commons.stack.StackEndpoints;
import io.spin.contract.DeadLetter;
import io.spin.contract.PreferencePair;
import io.spin.contract.SpinTopic;
import io.spin.stack.SharedStack;
import io.spin.testresource.BadRecords;
import io.spin.testresource.LocalStackResource;

/**
 * The pairs audit channel against the real stack: on the pairs topic, bytes that are not Avro and a well-formed event of
 * another type are each dead-lettered once, as typed dead letters naming partition and offset; a real pair is not.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class PairsAuditTest {

    @Test
    void whatIsNotAPairOnThePairsTopicIsDeadLetteredOnceAndAPairIsNot() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port);
        StackEndpoints e = SharedStack.endpoints();
        String key = "audit-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] garbage = ("not avro " + key).getBytes(StandardCharsets.UTF_8);
        BadRecords bad = new BadRecords(e);
        Map<String, RecordMetadata> written = new java.util.HashMap<>(bad.write(SpinTopic.PAIRS, key, garbage));
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(ControlPublisher.producerConfig(e.kafkaBootstrap(), e.registryApiV3()))) {
            written.put("pair", producer.send(new ProducerRecord<>(SpinTopic.PAIRS.topicName(), key + "-pair", PreferencePair.newBuilder()
                    .setRunId(key).setIteration(0).setDatasetId("ds").setPromptId("p").setSampleIndex(0).setPrompt("Define: a")
                    .setChosen("b").setRejected("c").setRejectedLogProb(-1).setExactMatch(false).setSimilarity(0).setProducerId("test")
                    .build())).get());
        }
        BadRecords.Letters letters = bad.await(SpinTopic.PAIRS, written, 2);
        assertEquals(Set.of("garbage", "control"), letters.byName().keySet(), "the two bad records, and not the pair");
        Thread.sleep(2000); // time for a second letter, had there been one
        letters = bad.await(SpinTopic.PAIRS, written, 2);
        assertEquals(Map.of("garbage", 1, "control", 1), letters.counts(), "each dead-lettered once");
        DeadLetter garbageLetter = letters.byName().get("garbage");
        assertArrayEquals(garbage, BadRecords.bytes(garbageLetter.getOriginalValue()), "the original bytes, as written");
        assertEquals(key + "-garbage", BadRecords.text(garbageLetter.getOriginalKey()));
        DeadLetter control = letters.byName().get("control");
        assertTrue(control.getError().contains("expected a PreferencePair on spin.pairs, got a ControlEvent"), control.getError());
        assertTrue(garbageLetter.getConsumer().startsWith("trainer"), garbageLetter.getConsumer());
        // the channel goes on, and its connector says so
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
