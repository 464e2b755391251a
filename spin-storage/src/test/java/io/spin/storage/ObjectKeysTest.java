package io.spin.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ObjectKeysTest {

    @Test
    void keysCannotEscapeTheirPrefix() {
        assertThrows(IllegalArgumentException.class, () -> ObjectStorage.checkKey("runs/../etc"));
        assertThrows(IllegalArgumentException.class, () -> ObjectStorage.checkKey("/abs"));
        assertThrows(IllegalArgumentException.class, () -> ObjectStorage.checkKey("a//b"));
        assertEquals("runs/r/iter-1/pairs.jsonl", ObjectStorage.checkKey("runs/r/iter-1/pairs.jsonl"));
    }
}
