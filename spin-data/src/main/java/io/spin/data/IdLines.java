package io.spin.data;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Which line each id was first seen on, for files of millions of lines: ids are kept as 64 bits of their SHA-256
 * (12 bytes an entry with the line, open addressing), so two different ids are taken for one with a probability of
 * about n^2 / 2^65 (1e-6 at 5 million ids).
 */
final class IdLines {
    private long[] keys = new long[1024];
    private int[] lines = new int[1024];
    private int size;

    /** The line the id was first seen on, or 0 after recording it at this line. */
    int putIfAbsent(String id, int line) {
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        long key = hash(id);
        int slot = slot(key, keys.length);
        while (lines[slot] != 0) {
            if (keys[slot] == key) {
                return lines[slot];
            }
            slot = (slot + 1) & (keys.length - 1);
        }
        keys[slot] = key;
        lines[slot] = line;
        size++;
        return 0;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldLines = lines;
        keys = new long[oldKeys.length * 2];
        lines = new int[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldLines[i] != 0) {
                int slot = slot(oldKeys[i], keys.length);
                while (lines[slot] != 0) {
                    slot = (slot + 1) & (keys.length - 1);
                }
                keys[slot] = oldKeys[i];
                lines[slot] = oldLines[i];
            }
        }
    }

    private static int slot(long key, int capacity) {
        return (int) (key ^ (key >>> 32)) & (capacity - 1);
    }

    private static long hash(String id) {
        return ByteBuffer.wrap(Sha256.digest().digest(id.getBytes(StandardCharsets.UTF_8))).getLong();
    }
}
