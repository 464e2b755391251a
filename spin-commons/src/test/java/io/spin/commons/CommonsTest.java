package io.spin.commons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.spin.commons.storage.ObjectStorage;
import io.spin.contract.PreferencePair;

class CommonsTest {

    @Test
    void editSimilarityByHand() {
        // kitten -> sitting: 3 edits, longest 7
        assertEquals(1 - 3.0 / 7, TextSimilarity.normalisedEditSimilarity("kitten", "sitting"), 1e-12);
        assertEquals(1.0, TextSimilarity.normalisedEditSimilarity("", ""));
        assertEquals(0.0, TextSimilarity.normalisedEditSimilarity("abc", ""));
        assertEquals(0.75, TextSimilarity.normalisedEditSimilarity("日本語x", "日本語y"), 1e-12);
    }

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
    void sha256OfKnownBytes() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void keysCannotEscapeTheirPrefix() {
        assertThrows(IllegalArgumentException.class, () -> ObjectStorage.checkKey("runs/../etc"));
        assertThrows(IllegalArgumentException.class, () -> ObjectStorage.checkKey("/abs"));
        assertThrows(IllegalArgumentException.class, () -> ObjectStorage.checkKey("a//b"));
        assertEquals("runs/r/iter-1/pairs.jsonl", ObjectStorage.checkKey("runs/r/iter-1/pairs.jsonl"));
    }
}
