package io.spin.data.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    @Test
    void bfloat16ByHand() {
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(1.0f));
        assertEquals((short) 0xC020, HalfFloats.floatToBf16(-2.5f));
        assertEquals(3.140625f, HalfFloats.bf16ToFloat((short) 0x4049));
        // halfway cases round to even: 1 + 2^-8 (0x3F808000) -> 0x3F80; 1 + 3 x 2^-8 (0x3F818000) -> 0x3F82
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F808000)));
        assertEquals((short) 0x3F82, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F818000)));
        assertEquals((short) 0x3F81, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F808001)), "just above halfway rounds up");
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))));
    }

    @Test
    void float16ByHand() {
        assertEquals((short) 0x3C00, HalfFloats.floatToF16(1.0f));
        assertEquals((short) 0xC100, HalfFloats.floatToF16(-2.5f));
        assertEquals((short) 0x2E66, HalfFloats.floatToF16(0.1f));
        assertEquals((short) 0x7BFF, HalfFloats.floatToF16(65504f), "the largest half");
        assertEquals((short) 0x7C00, HalfFloats.floatToF16(65520f), "rounds past it: infinity");
        assertEquals((short) 0x0400, HalfFloats.floatToF16(0x1p-14f), "the smallest normal");
        assertEquals((short) 0x0001, HalfFloats.floatToF16(0x1p-24f), "the smallest subnormal");
        assertEquals((short) 0x0000, HalfFloats.floatToF16(0x1p-26f), "below half of it: zero");
        assertEquals(0.333251953125f, HalfFloats.f16ToFloat((short) 0x3555));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.f16ToFloat((short) 0xFC00));
    }

    @Test
    void everyHalfAndBfloatRoundTripsThroughFloat() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f16 = HalfFloats.f16ToFloat(h);
            if (!Float.isNaN(f16)) {
                assertEquals(h, HalfFloats.floatToF16(f16), "f16 " + Integer.toHexString(bits));
            }
            float bf16 = HalfFloats.bf16ToFloat(h);
            if (!Float.isNaN(bf16)) {
                assertEquals(h, HalfFloats.floatToBf16(bf16), "bf16 " + Integer.toHexString(bits));
            }
        }
    }
}
