package io.spin.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class ContractTest {

    @Test
    void everyTopicHasADistinctNameAndAValueSchema() {
        Set<String> names = new HashSet<>();
        for (SpinTopic topic : SpinTopic.values()) {
            assertTrue(names.add(topic.topicName()), "duplicate topic " + topic.topicName());
            assertTrue(topic.defaultPartitions() >= 1);
            assertEquals(topic.topicName() + "-value", topic.valueSubject());
        }
        assertEquals("compact", SpinTopic.HUMAN_RESPONSES.kafkaConfig().get("cleanup.policy"));
        assertEquals("-1", SpinTopic.PAIRS.kafkaConfig().get("retention.ms"), "pairs are the source of truth: kept forever");
        assertEquals(Long.toString(7L * 24 * 3600 * 1000), SpinTopic.GENERATION_REQUESTS.kafkaConfig().get("retention.ms"));
    }

    @Test
    void everyRecordAndFieldIsDocumented() {
        List<String> missing = new ArrayList<>();
        for (SpinTopic topic : SpinTopic.values()) {
            collectUndocumented(topic.valueSchema(), new HashSet<>(), missing);
        }
        assertEquals(List.of(), missing);
    }

    private static void collectUndocumented(Schema schema, Set<String> seen, List<String> missing) {
        switch (schema.getType()) {
            case RECORD -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                if (schema.getDoc() == null || schema.getDoc().isBlank()) {
                    missing.add(schema.getFullName());
                }
                for (Schema.Field field : schema.getFields()) {
                    if (field.doc() == null || field.doc().isBlank()) {
                        missing.add(schema.getFullName() + "." + field.name());
                    }
                    collectUndocumented(field.schema(), seen, missing);
                }
            }
            case UNION -> schema.getTypes().forEach(t -> collectUndocumented(t, seen, missing));
            case ARRAY -> collectUndocumented(schema.getElementType(), seen, missing);
            case MAP -> collectUndocumented(schema.getValueType(), seen, missing);
            default -> { }
        }
    }

    @Test
    void everyEventRoundTripsThroughAvroBinary() throws IOException {
        for (var entry : SampleEvents.byTopic().entrySet()) {
            for (Supplier<SpecificRecord> supplier : entry.getValue()) {
                SpecificRecord event = supplier.get();
                assertEquals(entry.getKey().valueSchema(), event.getSchema(), "event on wrong topic: " + event);
                assertEquals(event, decode(encode(event), event.getSchema()));
            }
        }
    }

    @Test
    void controlUnionCoversEveryControlEventType() {
        Schema payload = ControlEvent.getClassSchema().getField("payload").schema();
        assertEquals(SampleEvents.controlEvents().size(), payload.getTypes().size(),
                "SampleEvents must build one instance of every control payload type");
    }

    @Test
    void sampleKeysRoundTripEvenWhenThePromptIdHasSlashes() {
        String key = Keys.sample("run-1", 3, "wordnet/n/0042", 1);
        assertEquals("run-1/3/wordnet/n/0042/1", key);
        assertEquals(new Keys.SampleKey("run-1", 3, "wordnet/n/0042", 1), Keys.parseSample(key));
        assertEquals("ds-1/p-9", Keys.humanResponse("ds-1", "p-9"));
    }

    @Test
    void malformedKeysAreRefusedWithTheKeyInTheMessage() {
        var e = assertThrows(IllegalArgumentException.class, () -> Keys.parseSample("run-1/x/p/0"));
        assertTrue(e.getMessage().contains("run-1/x/p/0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Keys.parseSample("run-1/3"));
        assertThrows(IllegalArgumentException.class, () -> Keys.sample("run/1", 0, "p", 0));
        assertFalse(Arrays.asList(SpinTopic.values()).isEmpty());
    }

    @Test
    void theControlLogAndEachReportTopicHaveExactlyOneWriter() {
        for (SpinTopic topic : List.of(SpinTopic.CONTROL, SpinTopic.GENERATOR_REPORTS, SpinTopic.PAIR_BUILDER_REPORTS, SpinTopic.TRAINER_REPORTS)) {
            List<ServicePrincipal> writers = Arrays.stream(ServicePrincipal.values()).filter(p -> p.writes().contains(topic)).toList();
            ServicePrincipal owner = topic == SpinTopic.CONTROL ? ServicePrincipal.ORCHESTRATOR : ServicePrincipal.reportingOn(topic.topicName());
            assertEquals(List.of(owner), writers, topic.topicName());
            if (topic != SpinTopic.CONTROL) {
                assertTrue(ServicePrincipal.ORCHESTRATOR.reads().contains(topic), "the orchestrator reads " + topic.topicName());
                assertEquals(topic, owner.reportTopic());
            }
        }
        assertEquals(null, ServicePrincipal.reportingOn(SpinTopic.CONTROL.topicName()));
        assertEquals(null, ServicePrincipal.ORCHESTRATOR.reportTopic());
    }

    @Test
    void aServiceMayReportOnlyWhatItKnows() {
        RunFailed failed = RunFailed.newBuilder().setComponent("x").setReason("y").build();
        CheckpointReady checkpoint = new CheckpointReady();
        for (ServicePrincipal p : List.of(ServicePrincipal.GENERATOR, ServicePrincipal.PAIR_BUILDER, ServicePrincipal.TRAINER)) {
            assertTrue(p.mayReport(failed), p.name());
            for (Object decision : List.of(new RunRequested(), new SftRequested(), new IterationStarted(), new CancelRequested(),
                    new RunCompleted())) {
                assertFalse(p.mayReport(decision), p.name() + " may not report " + decision.getClass().getSimpleName());
            }
        }
        assertTrue(ServicePrincipal.TRAINER.mayReport(checkpoint));
        assertFalse(ServicePrincipal.GENERATOR.mayReport(checkpoint));
        assertFalse(ServicePrincipal.PAIR_BUILDER.mayReport(checkpoint));
        assertTrue(ServicePrincipal.PAIR_BUILDER.mayReport(new PairsCompleted()));
        assertFalse(ServicePrincipal.TRAINER.mayReport(new PairsCompleted()));
        assertFalse(ServicePrincipal.ORCHESTRATOR.mayReport(failed));
        assertFalse(ServicePrincipal.TRAINER.mayReport(null));
    }

    static byte[] encode(SpecificRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    static SpecificRecord decode(byte[] bytes, Schema schema) throws IOException {
        return new SpecificDatumReader<SpecificRecord>(schema).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }
}
