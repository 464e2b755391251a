package io.spin.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.PromptFormat;

class TextTest {
    private final ByteTokenizer tokenizer = new ByteTokenizer();

    @Test
    void bytesRoundTripIncludingMultiByteCharacters() {
        assertArrayEquals(new int[] {104, 195, 169}, tokenizer.encode("hé"));
        assertEquals("hé — 日本", tokenizer.decode(tokenizer.encode("hé — 日本")));
        assertEquals("ab", tokenizer.decode(new int[] {ByteTokenizer.BOS, 97, ByteTokenizer.PAD, 98, ByteTokenizer.EOS}));
    }

    @Test
    void promptIsBosTemplateAndTextByHand() {
        PromptFormat format = new PromptFormat("Q: {prompt}\nA:", tokenizer);
        PromptFormat.Encoded e = format.prompt("hi", 64);
        assertArrayEquals(new int[] {256, 'Q', ':', ' ', 'h', 'i', '\n', 'A', ':'}, e.ids());
        assertFalse(e.truncated());
        assertEquals(7, format.overhead());
    }

    @Test
    void overLongPromptLosesItsEndButKeepsTheResponseMarker() {
        PromptFormat format = new PromptFormat("Q: {prompt}\nA:", tokenizer);
        PromptFormat.Encoded e = format.prompt("abcdefgh", 10);
        assertTrue(e.truncated());
        assertArrayEquals(new int[] {256, 'Q', ':', ' ', 'a', 'b', 'c', '\n', 'A', ':'}, e.ids());
        assertThrows(IllegalArgumentException.class, () -> format.prompt("x", 7));
    }

    @Test
    void responseEndsWithEosUnlessTruncated() {
        PromptFormat format = PromptFormat.defaults(tokenizer);
        assertArrayEquals(new int[] {'o', 'k', ByteTokenizer.EOS}, format.response("ok", 3).ids());
        PromptFormat.Encoded cut = format.response("okay", 3);
        assertArrayEquals(new int[] {'o', 'k', 'a'}, cut.ids());
        assertTrue(cut.truncated());
    }

    @Test
    void aSampledResponseIsItsOwnTokensWithEosOnlyWhenSampled() {
        PromptFormat format = PromptFormat.defaults(tokenizer);
        // ids that are not the text's bytes: what was sampled is kept, never encoded again from text
        assertArrayEquals(new int[] {300, 7, ByteTokenizer.EOS}, format.sampled(new int[] {300, 7}, true, 3).ids());
        assertArrayEquals(new int[] {300, 7}, format.sampled(new int[] {300, 7}, false, 3).ids(), "cut by length: no EOS");
        PromptFormat.Encoded cut = format.sampled(new int[] {300, 7, 9}, true, 3);
        assertArrayEquals(new int[] {300, 7, 9}, cut.ids(), "over the limit: cut, and no EOS");
        assertTrue(cut.truncated());
        assertArrayEquals(new int[] {ByteTokenizer.EOS}, format.sampled(new int[0], true, 3).ids(), "EOS at once");
    }

    @Test
    void templateNeedsExactlyOneSlot() {
        assertThrows(IllegalArgumentException.class, () -> new PromptFormat("no slot", tokenizer));
        assertThrows(IllegalArgumentException.class, () -> new PromptFormat("{prompt}{prompt}", tokenizer));
    }

}
