package io.spin.data;

/** Sizes of text as it travels (UTF-8), without encoding it. */
public final class Utf8 {
    private Utf8() {
    }

    /** The UTF-8 length of the string (an unpaired surrogate counts as the 3 bytes of its replacement). */
    public static int length(CharSequence s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            int w = width(s, i);
            bytes += w;
            if (w == 4) {
                i++;
            }
        }
        return bytes;
    }

    /** The longest prefix whose UTF-8 form has at most maxBytes bytes, never splitting a character. */
    public static String cut(String s, int maxBytes) {
        if ((long) s.length() * 3 <= maxBytes) {
            return s;
        }
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            int w = width(s, i);
            if (bytes + w > maxBytes) {
                return s.substring(0, i);
            }
            bytes += w;
            if (w == 4) {
                i++;
            }
        }
        return s;
    }

    /** Bytes of the character starting at i: 4 for a surrogate pair (which takes i and i + 1). */
    private static int width(CharSequence s, int i) {
        char c = s.charAt(i);
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800) {
            return 2;
        }
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            return 4;
        }
        return 3;
    }
}
