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

}
