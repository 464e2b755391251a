package io.spin.commons.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import io.spin.contract.ChatTurn;
import io.spin.contract.DeadLetter;
import io.spin.contract.Limits;
import io.spin.contract.SampleEvents;
import io.spin.data.DataLimits;

/**
 * The limits are chosen together: the largest record that input within {@link DataLimits} and {@link Limits} can make,
 * on every topic it reaches, fits {@link Limits#RECORD_BYTES} with room for its key, headers and the registry's 5-byte
 * prefix; and a dead letter fits whatever it carries.
 */
class RecordLimitsTest {
    /** Key (ids within their limits), headers, the registry's prefix and Kafka's record framing. */
    private static final int ENVELOPE = 64 * 1024;

    private static int avroBytes(SpecificRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        @SuppressWarnings("unchecked")
        SpecificDatumWriter<SpecificRecord> writer = new SpecificDatumWriter<>((Class<SpecificRecord>) record.getClass());
        writer.write(record, encoder);
        encoder.flush();
        return out.size();
    }

    /**
     * The most context a line can carry: every byte of the line not taken by prompt and response spent on turns with a
     * one-character content, the most turns (and so the most per-turn overhead) per line byte. As JSON each such turn
     * is at least 29 bytes.
     */
    private static List<ChatTurn> mostContext() {
        int turns = (DataLimits.LINE_BYTES - DataLimits.PROMPT_BYTES - DataLimits.RESPONSE_BYTES) / 29;
        return new ArrayList<>(Collections.nCopies(turns, ChatTurn.newBuilder().setRole("assistant").setContent("x").build()));
    }

    private static void fits(String what, SpecificRecord record) throws IOException {
        int bytes = avroBytes(record);
        assertTrue(bytes + ENVELOPE <= Limits.RECORD_BYTES, what + ": " + bytes + " bytes + envelope > " + Limits.RECORD_BYTES);
    }

    @Test
    void everyRecordMadeFromInputWithinTheLimitsFitsItsTopic() throws IOException {
        String id = "i".repeat(DataLimits.ID_BYTES);
        String prompt = "p".repeat(DataLimits.PROMPT_BYTES);
        String response = "r".repeat(DataLimits.RESPONSE_BYTES);
        String sample = "s".repeat(Limits.SAMPLE_TEXT_BYTES);
        // token ids that take Avro's longest varint (5 bytes) each
        List<Integer> tokens = new ArrayList<>(Collections.nCopies(Limits.TOKENS, Integer.MAX_VALUE));
        List<ChatTurn> context = mostContext();
        fits("HumanResponse", io.spin.contract.HumanResponse.newBuilder(SampleEvents.humanResponse()).setPromptId(id).setPrompt(prompt).setResponse(response)
                .setContext(context).setSourceFile("f".repeat(4096)).build());
        fits("GenerationRequest", io.spin.contract.GenerationRequest.newBuilder(SampleEvents.generationRequest()).setPromptId(id).setPrompt(prompt).setContext(context).build());
        fits("GeneratedSample", io.spin.contract.GeneratedSample.newBuilder(SampleEvents.generatedSample()).setPromptId(id).setText(sample).setTokenIds(tokens).build());
        fits("PreferencePair", io.spin.contract.PreferencePair.newBuilder(SampleEvents.preferencePair()).setPromptId(id).setPrompt(prompt).setContext(context)
                .setChosen(response).setRejected(sample).setRejectedTokenIds(tokens).build());
    }

    @Test
    void aDeadLetterKeepsTheStartOfWhatItCarriesAndSaysHowLongItWas() throws IOException {
        byte[] value = new byte[Limits.RECORD_BYTES]; // the largest record a topic takes, all of it garbage
        byte[] key = new byte[3 << 20];
        value[0] = 42;
        DeadLetter letter = DeadLetters.letter("spin.samples", 2, 7L, key, value, new IllegalStateException("x".repeat(1 << 20)), "test");
        assertEquals(Limits.DEAD_LETTER_ORIGINAL_BYTES, letter.getOriginalValue().remaining());
        assertEquals(42, letter.getOriginalValue().get(0));
        assertEquals((long) Limits.RECORD_BYTES, letter.getOriginalValueBytes());
        assertEquals((long) key.length, letter.getOriginalKeyBytes());
        assertEquals(DeadLetters.ERROR_CHARS + 3, letter.getError().length());
        fits("DeadLetter", letter);
        DeadLetter small = DeadLetters.letter("spin.samples", 2, 7L, new byte[] {1}, new byte[] {2, 3}, new IllegalStateException("bad"), "test");
        assertEquals(2, small.getOriginalValue().remaining());
        assertEquals(null, small.getOriginalValueBytes(), "whole: no length recorded");
    }
}
