package io.spin.commons;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.spin.data.TextSimilarity;
import io.spin.contract.PreferencePair;

class CommonsTest {

    static PreferencePair pair(String promptId, int sample, String rejected) {
        return PreferencePair.newBuilder().setRunId("r").setIteration(1).setDatasetId("d").setPromptId(promptId)
                .setSampleIndex(sample).setPrompt("Define: " + promptId).setChosen("a \"quoted\" gloss\n").setRejected(rejected)
                .setRejectedLogProb(-12.5).setExactMatch(rejected.equals("a \"quoted\" gloss\n"))
                .setSimilarity(TextSimilarity.normalisedEditSimilarity("a \"quoted\" gloss\n", rejected)).setProducerId("p").build();
    }

    @Test
    void snapshotIsSortedWithFixedFieldOrderWhateverTheInputOrder() {
        PreferencePair a1 = pair("a", 1, "x");
        PreferencePair a0 = pair("a", 0, "a \"quoted\" gloss\n");
        PreferencePair b0 = pair("b", 0, "y");
        byte[] one = PairSnapshot.jsonl(List.of(b0, a1, a0));
        byte[] two = PairSnapshot.jsonl(List.of(a0, b0, a1));
        assertEquals(new String(one, StandardCharsets.UTF_8), new String(two, StandardCharsets.UTF_8));
        String first = new String(one, StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        assertEquals("{\"runId\":\"r\",\"iteration\":1,\"datasetId\":\"d\",\"promptId\":\"a\",\"sampleIndex\":0,"
                + "\"prompt\":\"Define: a\",\"chosen\":\"a \\\"quoted\\\" gloss\\n\",\"rejected\":\"a \\\"quoted\\\" gloss\\n\","
                + "\"rejectedLogProb\":-12.5,\"exactMatch\":true,\"similarity\":1.0}", first);
        assertEquals("{\"prompt\":\"Define: b\",\"chosen\":\"a \\\"quoted\\\" gloss\\n\",\"rejected\":\"y\"}",
                new String(PairSnapshot.jsonl(List.of(b0), PairSnapshot.Format.TRL), StandardCharsets.UTF_8).strip());
        PairSnapshot.Stats stats = PairSnapshot.Stats.of(List.of(a0, a1, b0));
        assertEquals(1.0 / 3, stats.exactMatchRate(), 1e-12);
    }

    @Test
    void aConversationsEarlierTurnsTravelInTheSnapshotAndInTrlsConversationalForm() {
        PreferencePair chat = PreferencePair.newBuilder(pair("a", 0, "y")).setContext(List.of(new io.spin.contract.ChatTurn("system", "be brief"),
                new io.spin.contract.ChatTurn("user", "Hi?"), new io.spin.contract.ChatTurn("assistant", "Hello."))).build();
        byte[] jsonl = PairSnapshot.jsonl(List.of(chat));
        assertEquals(true, new String(jsonl, StandardCharsets.UTF_8).contains(",\"sampleIndex\":0,\"context\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":\"Hi?\"},{\"role\":\"assistant\",\"content\":\"Hello.\"}],\"prompt\":\"Define: a\","));
        PairSnapshot.Row row = PairSnapshot.read("mem", jsonl).get(0);
        assertEquals(List.of(new io.spin.data.text.ChatRenderer.Message("system", "be brief"), new io.spin.data.text.ChatRenderer.Message("user", "Hi?"),
                new io.spin.data.text.ChatRenderer.Message("assistant", "Hello.")), row.context());
        assertEquals(List.of(), PairSnapshot.read("mem", PairSnapshot.jsonl(List.of(pair("b", 0, "y")))).get(0).context());
        assertEquals("{\"prompt\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"Hi?\"},"
                + "{\"role\":\"assistant\",\"content\":\"Hello.\"},{\"role\":\"user\",\"content\":\"Define: a\"}],"
                + "\"chosen\":[{\"role\":\"assistant\",\"content\":\"a \\\"quoted\\\" gloss\\n\"}],"
                + "\"rejected\":[{\"role\":\"assistant\",\"content\":\"y\"}]}",
                new String(PairSnapshot.jsonl(List.of(chat), PairSnapshot.Format.TRL), StandardCharsets.UTF_8).strip());
    }

    @Test
    void theSampledTokensAndFinishReasonTravelInTheSnapshotWhenKnown() {
        PreferencePair sampled = PreferencePair.newBuilder(pair("a", 0, "ok")).setRejectedTokenIds(List.of(111, 107))
                .setRejectedFinishReason(io.spin.contract.FinishReason.LENGTH).build();
        byte[] jsonl = PairSnapshot.jsonl(List.of(sampled, pair("b", 0, "y")));
        String first = new String(jsonl, StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        assertEquals(true, first.endsWith(",\"rejectedTokenIds\":[111,107],\"rejectedFinishReason\":\"LENGTH\"}"), first);
        List<PairSnapshot.Row> rows = PairSnapshot.read("mem", jsonl);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {111, 107}, rows.get(0).rejectedTokenIds());
        assertEquals("LENGTH", rows.get(0).rejectedFinishReason());
        assertEquals(null, rows.get(1).rejectedTokenIds(), "a pair without ids reads as unknown");
        assertEquals(null, rows.get(1).rejectedFinishReason());
        // the writer used for large snapshots makes the same bytes and digest
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        PairSnapshot.Writer writer = new PairSnapshot.Writer(out, PairSnapshot.Format.FULL);
        writer.write(sampled);
        writer.write(pair("b", 0, "y"));
        org.junit.jupiter.api.Assertions.assertArrayEquals(jsonl, out.toByteArray());
        assertEquals(io.spin.data.Sha256.of(jsonl), writer.sha256());
        assertEquals(jsonl.length, writer.bytes());
        String bad = first.replace("[111,107]", "[111,\"x\"]") + "\n";
        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> PairSnapshot.read("s3://spin/p.jsonl", bad.getBytes(StandardCharsets.UTF_8)));
        assertEquals(true, refused.getMessage().startsWith("s3://spin/p.jsonl line 1: not a pair row"), refused.getMessage());
    }

}
