package io.spin.pairbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse;
import org.junit.jupiter.api.Test;

import io.spin.commons.kafka.TopicReader;
import io.spin.contract.ControlEvent;
import io.spin.contract.DeadLetter;
import io.spin.contract.RunFailed;
import io.spin.contract.SpinTopic;
import io.spin.stack.SharedStack;
import io.spin.commons.stack.StackEndpoints;

/**
 * A pair the broker will never take fails its run with the reason and is dead-lettered, and the topology goes on
 * (CONTINUE); any other production failure is left to the stream thread's replacement (FAIL). Against the real broker.
 */
class UnwritablePairHandlerTest {
    @Test
    void aPairThatCanNeverBeWrittenFailsItsRunAndIsDeadLettered() {
        StackEndpoints e = SharedStack.endpoints();
        UnwritablePairHandler handler = new UnwritablePairHandler();
        handler.configure(Map.of("bootstrap.servers", e.kafkaBootstrap(), DeadLetterHandler.REGISTRY_URL, e.registryApiV3()));
        String run = "run-" + UUID.randomUUID().toString().substring(0, 12);
        byte[] key = (run + "/p7/0").getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[2048];
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(SpinTopic.PAIRS.topicName(), key, value);

        assertEquals(ProductionExceptionHandlerResponse.FAIL, handler.handle(null, record, new TimeoutException("broker away")),
                "a failure that may pass is retried from the last commit");
        assertEquals(ProductionExceptionHandlerResponse.FAIL, handler.handle(null,
                new ProducerRecord<>("spin-pair-builder-changelog", key, value), new RecordTooLargeException("too large")),
                "only pairs fail their run");
        assertEquals(ProductionExceptionHandlerResponse.CONTINUE, handler.handle(null, record,
                new RecordTooLargeException("The message is 9000000 bytes when serialized which is larger than 8388608")));

        TopicReader reader = new TopicReader(e.kafkaClientConfig(), e.registryApiV3());
        List<RunFailed> failed = new ArrayList<>();
        reader.<Object>readAll(SpinTopic.PAIR_BUILDER_REPORTS.topicName(), r -> {
            if (r.value() instanceof ControlEvent c && c.getRunId().equals(run) && c.getPayload() instanceof RunFailed f) {
                failed.add(f);
            }
        });
        assertEquals(1, failed.size());
        assertEquals("pair-builder", failed.get(0).getComponent());
        assertTrue(failed.get(0).getReason().startsWith("the pair " + run + "/p7/0 cannot be written to spin.pairs (2048 bytes)"),
                failed.get(0).getReason());
        List<DeadLetter> letters = new ArrayList<>();
        reader.<Object>readAll(SpinTopic.DEAD_LETTERS.topicName(), r -> {
            if (r.value() instanceof DeadLetter d && d.getOriginalKey() != null
                    && StandardCharsets.UTF_8.decode(d.getOriginalKey().duplicate()).toString().equals(run + "/p7/0")) {
                letters.add(d);
            }
        });
        assertEquals(1, letters.size());
        assertEquals(SpinTopic.PAIRS.topicName(), letters.get(0).getSourceTopic());
        assertEquals(2048, letters.get(0).getOriginalValue().remaining());
    }
}
