package io.spin.pairbuilder;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spin.contract.DeadLetter;
import io.spin.contract.SpinTopic;
import io.spin.stack.SharedStack;
import io.spin.testresource.BadRecords;
import io.spin.testresource.LocalStackResource;

/**
 * The human-responses audit channel against the real stack: what is not a human response on that topic (the global
 * table loads it without a deserialization handler) is dead-lettered once, with its original bytes and the reason.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class HumanResponseAuditTest {

    @Test
    void whatIsNotAHumanResponseIsDeadLetteredOnce() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port);
        String key = "audit-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] garbage = ("not avro " + key).getBytes(StandardCharsets.UTF_8);
        BadRecords bad = new BadRecords(SharedStack.endpoints());
        Map<String, RecordMetadata> written = bad.write(SpinTopic.HUMAN_RESPONSES, key, garbage);
        BadRecords.Letters letters = bad.await(SpinTopic.HUMAN_RESPONSES, written, 2);
        assertEquals(Set.of("garbage", "control"), letters.byName().keySet());
        assertEquals(Map.of("garbage", 1, "control", 1), letters.counts(), "each dead-lettered once");
        DeadLetter garbageLetter = letters.byName().get("garbage");
        assertArrayEquals(garbage, BadRecords.bytes(garbageLetter.getOriginalValue()));
        assertTrue(garbageLetter.getConsumer().startsWith("pair-builder"), garbageLetter.getConsumer());
        DeadLetter control = letters.byName().get("control");
        assertTrue(control.getError().contains("expected a HumanResponse on spin.human-responses, got a ControlEvent"), control.getError());
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
