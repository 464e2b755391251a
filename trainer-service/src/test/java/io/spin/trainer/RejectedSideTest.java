package io.spin.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

import io.spin.commons.PairSnapshot;
import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.PromptFormat;

/** The rejected side is trained on exactly what pi_t sampled, not on its text encoded again. */
class RejectedSideTest {
    private final PromptFormat format = PromptFormat.defaults(new ByteTokenizer());

    private static PairSnapshot.Row row(String rejected, int[] ids, String finish) {
        return new PairSnapshot.Row(0, "p", 0, java.util.List.of(), "Define: p", "h", rejected, ids, finish);
    }

    @Test
    void sampledIdsAreUsedAsTheyAreWithEosOnlyWhenSamplingChoseIt() {
        // the text "hi" would encode to 'h','i': the recorded ids win
        assertArrayEquals(new int[] {200, 201, ByteTokenizer.EOS}, SpinJob.rejected(row("hi", new int[] {200, 201}, "EOS"), format, 8));
        assertArrayEquals(new int[] {200, 201}, SpinJob.rejected(row("hi", new int[] {200, 201}, "LENGTH"), format, 8));
    }

    @Test
    void anIdOutsideTheVocabularyIsRefusedNamingThePair() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> SpinJob.rejected(row("hi", new int[] {104, 259}, "EOS"), format, 8));
        org.junit.jupiter.api.Assertions.assertEquals("pair 0/p/0: rejected token id 259 is outside the policy's vocabulary (0..258)", e.getMessage());
    }

    @Test
    void aPairWithoutIdsIsEncodedFromItsTextAsBefore() {
        assertArrayEquals(new int[] {'h', 'i', ByteTokenizer.EOS}, SpinJob.rejected(row("hi", null, null), format, 8));
    }
}
