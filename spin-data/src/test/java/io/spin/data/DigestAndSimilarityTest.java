package io.spin.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class DigestAndSimilarityTest {

    @Test
    void editSimilarityByHand() {
        // kitten -> sitting: 3 edits, longest 7
        assertEquals(1 - 3.0 / 7, TextSimilarity.normalisedEditSimilarity("kitten", "sitting"), 1e-12);
        assertEquals(1.0, TextSimilarity.normalisedEditSimilarity("", ""));
        assertEquals(0.0, TextSimilarity.normalisedEditSimilarity("abc", ""));
        assertEquals(0.75, TextSimilarity.normalisedEditSimilarity("日本語x", "日本語y"), 1e-12);
        // megabyte texts cost what 4096 code points cost: same head, rests of 1M and 1M-10 code points: 10 edits in 1M+4096
        String head = "ab".repeat(2048);
        assertEquals(1 - 10.0 / (1_000_000 + 4096), TextSimilarity.normalisedEditSimilarity(head + "x".repeat(1_000_000),
                head + "y".repeat(999_990)), 1e-12);
        assertEquals(1.0, TextSimilarity.normalisedEditSimilarity(head + "z".repeat(900_000), head + "z".repeat(900_000)));
        // a long text against a short one is far from it: 4096 - 2 edits in the head, the 1M rest all edits
        assertEquals(1 - (4094.0 + 1_000_000) / (1_004_096), TextSimilarity.normalisedEditSimilarity(head + "x".repeat(1_000_000), "ab"), 1e-12);
    }

    @Test
    void sha256OfKnownBytes() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)));
    }
}
