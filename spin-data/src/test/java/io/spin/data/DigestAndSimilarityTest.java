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
    }

    @Test
    void sha256OfKnownBytes() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)));
    }
}
