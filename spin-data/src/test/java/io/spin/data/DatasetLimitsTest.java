package io.spin.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The dataset's named limits, each refused naming the file, line, field and limit; files read as they stream by. */
class DatasetLimitsTest {

    private static String error(String text) {
        return assertThrows(DatasetException.class,
                () -> JsonlDataset.parse("train.jsonl", text.getBytes(StandardCharsets.UTF_8))).getMessage();
    }

    private static String line(String prompt, String response) {
        return "{\"prompt\": \"" + prompt + "\", \"response\": \"" + response + "\"}";
    }

    @Test
    void aFieldOverItsLimitIsNamedWithItsLineAndLimit() {
        String ok = line("q", "a");
        // 0.9 MB passes; 1.05 MB is over RESPONSE_BYTES (1 MiB), on the line it is on
        assertEquals(2, JsonlDataset.parse("t", (ok + "\n" + line("q", "r".repeat(900_000))).getBytes(StandardCharsets.UTF_8)).size());
        assertEquals("train.jsonl:2: field 'response' is 1050000 bytes, over the limit of 1048576 bytes (RESPONSE_BYTES)",
                error(ok + "\n" + line("q", "r".repeat(1_050_000))));
        // counted in UTF-8 bytes, not chars: 400k three-byte chars are 1.2 MB
        assertEquals("train.jsonl:1: field 'prompt' is 1200000 bytes, over the limit of 1048576 bytes (PROMPT_BYTES)",
                error(line("\u20ac".repeat(400_000), "a")));
        assertEquals("train.jsonl:1: field 'id' is 257 bytes, over the limit of 256 bytes (ID_BYTES)",
                error("{\"id\": \"" + "i".repeat(257) + "\", \"prompt\": \"q\", \"response\": \"a\"}"));
        // a conversation's prompt is every turn before the response: 600000 + 1 ("a") + 600000 bytes
        String turn = "{\"role\": \"user\", \"content\": \"" + "c".repeat(600_000) + "\"}";
        assertEquals("train.jsonl:1: field 'messages (all but the last turn)' is 1200001 bytes, over the limit of 1048576 bytes (PROMPT_BYTES)",
                error("{\"messages\": [" + turn + ", {\"role\": \"assistant\", \"content\": \"a\"}, " + turn
                        + ", {\"role\": \"assistant\", \"content\": \"b\"}]}"));
        assertTrue(error(ok + "\n" + line("q", "r".repeat(DataLimits.LINE_BYTES))).startsWith(
                "train.jsonl:2: line of " + (DataLimits.LINE_BYTES + 31) + "+ bytes is longer than the limit of 3145728 bytes (LINE_BYTES)"));
    }

    @Test
    void textIsMeasuredAndCutInUtf8BytesWithoutSplittingACharacter() {
        String mixed = "a\u00e9\u20ac\ud83d\ude00"; // 1 + 2 + 3 + 4 bytes
        assertEquals(10, Utf8.length(mixed));
        assertEquals(mixed.getBytes(StandardCharsets.UTF_8).length, Utf8.length(mixed));
        assertEquals("a\u00e9\u20ac", Utf8.cut(mixed, 9), "the emoji (4 bytes) does not fit in 9: cut before it, not inside");
        assertEquals("a\u00e9", Utf8.cut(mixed, 5));
        assertEquals("", Utf8.cut(mixed, 0));
        assertEquals(mixed, Utf8.cut(mixed, 10));
        String long8 = "\u20ac".repeat(1000);
        assertEquals(999, Utf8.cut(long8, 2999).length());
    }

    @Test
    void aFileStreamsByInBoundedMemoryAndDuplicatesAreStillFound() throws IOException {
        // 200k lines made on the fly: never a byte array of the file
        int n = 200_000;
        InputStream lines = new InputStream() {
            private byte[] current = new byte[0];
            private int pos;
            private int made;

            @Override
            public int read() {
                if (pos == current.length) {
                    if (made == n) {
                        return -1;
                    }
                    made++;
                    current = ("{\"id\": \"p" + made + "\", \"prompt\": \"q" + made + "\", \"response\": \"a\"}\n").getBytes(StandardCharsets.UTF_8);
                    pos = 0;
                }
                return current[pos++];
            }
        };
        List<String> seen = new ArrayList<>();
        int count = JsonlDataset.scan("big.jsonl", lines, e -> {
            if (seen.size() < 3) {
                seen.add(e.id() + "@" + e.sourceLine());
            }
        });
        assertEquals(n, count);
        assertEquals(List.of("p1@1", "p2@2", "p3@3"), seen);
        String twice = "{\"id\": \"a\", \"prompt\": \"q\", \"response\": \"r\"}\n";
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            many.append("{\"id\": \"u").append(i).append("\", \"prompt\": \"q\", \"response\": \"r\"}\n");
        }
        String text = twice + many + twice;
        DatasetException e = assertThrows(DatasetException.class, () -> JsonlDataset.scan("d.jsonl",
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), x -> { }));
        assertEquals("d.jsonl:5002: duplicate id 'a' (first at line 1)", e.getMessage());
    }
}
