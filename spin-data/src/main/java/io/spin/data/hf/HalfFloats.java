package io.spin.data.hf;

/**
 * IEEE 754 binary16 (F16) and bfloat16 (BF16) to and from float, bit by bit (Java 17 has no Float.float16ToFloat).
 * Narrowing rounds to nearest, ties to even, as PyTorch does; NaN stays NaN and overflow becomes infinity.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040); // keep the sign, force a quiet NaN
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float f16ToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13)); // infinity or NaN
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f; // subnormal (or zero): mantissa x 2^-24
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(value)) {
            return (short) (sign | 0x7E00);
        }
        float magnitude = Math.abs(value);
        if (magnitude >= 65520f) { // rounds above the largest half (65504)
            return (short) (sign | 0x7C00);
        }
        if (magnitude < 0x1p-14f) { // subnormal half: a multiple of 2^-24, rounded to nearest even
            int units = (int) Math.rint(magnitude * 0x1p24f);
            return (short) (sign | units);
        }
        int exponent = ((bits >>> 23) & 0xFF) - 112;
        int mantissa = bits & 0x7FFFFF;
        int half = (exponent << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // may carry into the exponent, which is still right (up to infinity at 65520)
        }
        return (short) (sign | half);
    }
}
