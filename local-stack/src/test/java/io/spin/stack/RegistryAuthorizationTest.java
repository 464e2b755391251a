package io.spin.stack;

import io.spin.commons.stack.KafkaUsers;

import io.spin.commons.stack.StackEndpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.contract.SpinTopic;

/**
 * The local registry as `./spin up` runs it: anyone reads the contract's schemas, only the deployment step's user
 * registers or changes them, and a writer whose schema the deployment did not register is refused, not registered.
 */
class RegistryAuthorizationTest {
    static StackEndpoints stack;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void stack() {
        stack = SharedStack.endpoints();
        Assumptions.assumeTrue(stack.kafkaUser() != null, "this stack's registry lets anyone write");
    }

    private static HttpResponse<String> register(String artifactId, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.registryApiV3() + "/groups/default/artifacts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"artifactId\":\"" + artifactId
                        + "\",\"artifactType\":\"AVRO\",\"firstVersion\":{\"content\":{\"content\":\"{\\\"type\\\":\\\"string\\\"}\","
                        + "\"contentType\":\"application/json\"}}}"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anyoneReadsOnlyTheDeployerWrites() throws Exception {
        HttpResponse<String> read = HTTP.send(HttpRequest.newBuilder(URI.create(stack.registryApiV3() + "/groups/default/artifacts/"
                + SpinTopic.CONTROL.valueSubject() + "/versions")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, read.statusCode(), read.body());
        assertEquals(401, register("anonymous-" + System.nanoTime(), null).statusCode());
        String wrong = "Basic " + java.util.Base64.getEncoder().encodeToString((KafkaUsers.REGISTRY_DEPLOYER + ":nope").getBytes());
        assertEquals(401, register("wrong-" + System.nanoTime(), wrong).statusCode());
        // the deployment step registers (what ./spin up did for the whole contract)
        assertTrue(stack.registrySchemas().register("deployer-" + System.nanoTime(), "{\"type\":\"string\"}").statusCode() < 300);
    }

    @Test
    void aWriterWhoseSchemaWasNeverRegisteredIsRefusedNotRegistered() throws Exception {
        Schema unknown = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"NotInTheContract" + System.nanoTime()
                + "\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
        int versionsBefore = stack.registrySchemas().versionCount(SpinTopic.DEAD_LETTERS.valueSubject());
        GenericRecord record = new GenericData.Record(unknown);
        record.put("x", 1);
        Map<String, Object> config = new HashMap<>(stack.kafkaClientConfig());
        config.putAll(ControlPublisher.serializerConfig(stack.registryApiV3()));
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10000);
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(config)) {
            Exception refused = assertThrows(Exception.class, () -> producer.send(
                    new ProducerRecord<>(SpinTopic.DEAD_LETTERS.topicName(), "k", record)).get(30, TimeUnit.SECONDS));
            assertInstanceOf(RuntimeException.class, refused, "the serializer fails before anything is sent: " + refused);
        }
        assertEquals(versionsBefore, stack.registrySchemas().versionCount(SpinTopic.DEAD_LETTERS.valueSubject()), "nothing registered");
    }
}
