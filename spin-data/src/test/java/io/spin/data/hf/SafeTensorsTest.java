package io.spin.data.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** A file as the format defines it, byte by byte: header length, JSON header, little-endian data. */
    private Path file(String name, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static byte[] data() {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(1.0f).putFloat(-2.0f).putShort((short) 0x3F80).putShort((short) 0x4049);
        return b.array();
    }

    private static final String HEADER = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[8,12]}}";

    @Test
    void readsAFileWrittenByTheBook() throws IOException {
        SafeTensors st = SafeTensors.open(file("m.safetensors", HEADER, data()));
        assertEquals(java.util.List.of("a", "b"), java.util.List.copyOf(st.entries().keySet()));
        assertArrayEquals(new float[] {1.0f, -2.0f}, st.floats("a"));
        assertArrayEquals(new float[] {1.0f, 3.140625f}, st.floats("b"));
        assertArrayEquals(new long[] {1, 2}, st.entries().get("b").shape());
        assertEquals(TensorType.BF16, st.entries().get("b").type());
        assertEquals("pt", st.metadata().get("format"));
    }

    @Test
    void whatItWritesReadsBackInEachType() {
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", new SafeTensors.Tensor(new float[] {0.5f, -1.25f, 3f, 0.1f, 7f, -0f}, new long[] {2, 3}, TensorType.F32));
        tensors.put("h", new SafeTensors.Tensor(new float[] {0.5f, -1.25f, 0.1f}, new long[] {3}, TensorType.F16));
        tensors.put("bf", new SafeTensors.Tensor(new float[] {0.5f, -1.25f, 0.1f}, new long[] {3}, TensorType.BF16));
        Path p = dir.resolve("out.safetensors");
        SafeTensors.write(p, tensors, Map.of("format", "pt"));
        SafeTensors st = SafeTensors.open(p);
        assertArrayEquals(new float[] {0.5f, -1.25f, 3f, 0.1f, 7f, -0f}, st.floats("w"));
        assertArrayEquals(new float[] {0.5f, -1.25f, HalfFloats.f16ToFloat((short) 0x2E66)}, st.floats("h"));
        assertArrayEquals(new float[] {0.5f, -1.25f, HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(0.1f))}, st.floats("bf"));
        assertEquals(0, (st.entries().get("w").offset() - 8) % 8, "the header is padded to a multiple of 8");
        assertEquals("pt", st.metadata().get("format"));
    }

    @Test
    void aBrokenFileIsRefusedNamingTheTensor() throws IOException {
        Path outside = file("o.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", data());
        assertTrue(message(outside).endsWith("tensor a: data_offsets [0,16] fall outside the file's 12 data bytes"), message(outside));
        Path size = file("s.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", data());
        assertTrue(message(size).endsWith("tensor a: 8 bytes for shape [3] of F32 (12 expected)"), message(size));
        Path overlap = file("v.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data());
        assertTrue(message(overlap).endsWith("tensors a and b overlap"), message(overlap));
        Path dtype = file("d.safetensors", "{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", data());
        assertTrue(message(dtype).endsWith("tensor a: dtype 'I64' is not one of F32, F16, BF16"), message(dtype));
        Path garbage = dir.resolve("g.safetensors");
        Files.write(garbage, new byte[] {(byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertTrue(message(garbage).contains("not a safetensors file"), message(garbage));
    }

    @Test
    void shardsMustMatchTheirIndex() throws IOException {
        file("model-00001-of-00002.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data());
        file("model-00002-of-00002.safetensors", "{\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", data());
        Files.writeString(dir.resolve(ModelWeights.INDEX), "{\"metadata\":{\"total_size\":20},\"weight_map\":{"
                + "\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
        ModelWeights weights = ModelWeights.open(dir);
        assertEquals(java.util.Set.of("a", "b"), weights.names());
        assertArrayEquals(new float[] {1.0f, -2.0f}, weights.floats("a"));
        assertEquals(3, weights.floats("b").length);

        Files.writeString(dir.resolve(ModelWeights.INDEX), "{\"weight_map\":{\"a\":\"model-00002-of-00002.safetensors\","
                + "\"b\":\"model-00002-of-00002.safetensors\"}}");
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> ModelWeights.open(dir));
        assertTrue(wrong.getMessage().endsWith("tensor a is not in model-00002-of-00002.safetensors"), wrong.getMessage());
        file("model-00001-of-00002.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", data());
        Files.writeString(dir.resolve(ModelWeights.INDEX), "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"b\":\"model-00002-of-00002.safetensors\"}}");
        IllegalArgumentException extra = assertThrows(IllegalArgumentException.class, () -> ModelWeights.open(dir));
        assertTrue(extra.getMessage().contains("tensor c is not mapped to this shard"), extra.getMessage());
    }

    private static String message(Path p) {
        return assertThrows(IllegalArgumentException.class, () -> SafeTensors.open(p)).getMessage();
    }
}
