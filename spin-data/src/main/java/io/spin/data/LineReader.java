package io.spin.data;

import java.io.IOException;
import java.io.InputStream;

/**
 * Lines of a stream as bytes, one buffer reused: a line longer than the limit is skipped to its end and reported
 * ({@link #tooLong()}) rather than held, so memory follows the limit, never the stream.
 */
final class LineReader {
    private final InputStream in;
    private byte[] buffer = new byte[8192];
    private int length;
    private long skipped;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** The next line without its '\n' (its bytes are {@code [0, length())} of the array), or null at the end. */
    byte[] next(int limit) throws IOException {
        length = 0;
        skipped = 0;
        int b = in.read();
        if (b < 0) {
            return null;
        }
        while (b >= 0 && b != '\n') {
            if (length < limit) {
                if (length == buffer.length) {
                    buffer = java.util.Arrays.copyOf(buffer, (int) Math.min((long) limit, 2L * buffer.length));
                }
                buffer[length++] = (byte) b;
            } else {
                skipped++;
            }
            b = in.read();
        }
        return buffer;
    }

    int length() {
        return length;
    }

    boolean tooLong() {
        return skipped > 0;
    }

    long tooLongBytes() {
        return length + skipped;
    }
}
