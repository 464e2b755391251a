package io.spin.data.hf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One safetensors file (Hugging Face's weight format): an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and byte range, then the raw little-endian data. The header is read and checked whole at
 * open (ranges inside the file, sizes matching shapes, no overlaps); a tensor's bytes are mapped from the file only
 * when asked for, so a model of many gigabytes is never held at once. Every refusal names the file and the tensor.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Headers above this are refused: real ones are kilobytes, and the length comes from an untrusted file. */
    private static final long MAX_HEADER = 100L << 20;

    /** A tensor as the header describes it; {@code offset} is from the start of the file. */
    public record Entry(String name, TensorType type, long[] shape, long offset, long bytes) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path file;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(Path file, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafeTensors open(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (size < 8 || channel.read(length, 0) != 8) {
                throw new IllegalArgumentException(file + ": not a safetensors file (shorter than its 8-byte header length)");
            }
            long headerLength = length.getLong(0);
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new IllegalArgumentException(file + ": not a safetensors file (header length " + headerLength + ", file " + size + " bytes)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            channel.read(header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ": the header is not JSON: " + e.getMessage(), e);
            }
            return new SafeTensors(file, entries(file, root, 8 + headerLength, size), metadata(root));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Entry> entries(Path file, JsonNode root, long dataStart, long size) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": the header is not a JSON object");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            entries.put(field.getKey(), entry(file, field.getKey(), field.getValue(), dataStart, size));
        }
        List<Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        for (int i = 1; i < byOffset.size(); i++) {
            Entry before = byOffset.get(i - 1);
            if (before.offset() + before.bytes() > byOffset.get(i).offset()) {
                throw new IllegalArgumentException(file + ": tensors " + before.name() + " and " + byOffset.get(i).name() + " overlap");
            }
        }
        return Collections.unmodifiableMap(entries);
    }

    private static Entry entry(Path file, String name, JsonNode node, long dataStart, long size) {
        String where = file + ": tensor " + name;
        TensorType type = TensorType.of(node.path("dtype").asText());
        if (type == null) {
            throw new IllegalArgumentException(where + ": dtype '" + node.path("dtype").asText() + "' is not one of F32, F16, BF16");
        }
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new IllegalArgumentException(where + ": needs 'shape' and two 'data_offsets'");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
            if (shape[i] < 0) {
                throw new IllegalArgumentException(where + ": bad shape " + shapeNode);
            }
            elements = Math.multiplyExact(elements, shape[i]);
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || dataStart + end > size) {
            throw new IllegalArgumentException(where + ": data_offsets " + offsets + " fall outside the file's " + (size - dataStart) + " data bytes");
        }
        if (end - begin != elements * type.bytes()) {
            throw new IllegalArgumentException(where + ": " + (end - begin) + " bytes for shape " + shapeNode + " of " + type
                    + " (" + elements * type.bytes() + " expected)");
        }
        return new Entry(name, type, shape, dataStart + begin, end - begin);
    }

    private static Map<String, String> metadata(JsonNode root) {
        Map<String, String> metadata = new LinkedHashMap<>();
        root.path("__metadata__").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        return Collections.unmodifiableMap(metadata);
    }

    public Path file() {
        return file;
    }

    /** The tensors in header order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor's values as floats, whatever its stored type. */
    public float[] floats(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException(file + ": no tensor " + name);
        }
        if (entry.elements() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(file + ": tensor " + name + " has " + entry.elements() + " elements, more than one array holds");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, entry.offset(), entry.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[(int) entry.elements()];
            for (int i = 0; i < values.length; i++) {
                values[i] = entry.type().read(data, i);
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": reading tensor " + name + ": " + e.getMessage(), e);
        }
    }

    /** A tensor to write: its values, shape, and the type to store them as. */
    public record Tensor(float[] values, long[] shape, TensorType type) {
    }

    /** Writes the tensors in the given order, each converted to its type, with the metadata. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", metadata);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long elements = 1;
            for (long d : t.shape()) {
                elements *= d;
            }
            if (elements != t.values().length) {
                throw new IllegalArgumentException("tensor " + e.getKey() + ": " + t.values().length + " values for shape "
                        + java.util.Arrays.toString(t.shape()));
            }
            long bytes = elements * t.type().bytes();
            header.put(e.getKey(), Map.of("dtype", t.type().name(), "shape", t.shape(), "data_offsets", new long[] {offset, offset + bytes}));
            offset += bytes;
        }
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            byte[] json = JSON.writeValueAsBytes(header);
            int padded = (json.length + 7) / 8 * 8; // the format pads the header with spaces to a multiple of 8
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(json);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            head.flip();
            out.write(head);
            for (Tensor t : tensors.values()) {
                ByteBuffer data = ByteBuffer.allocate(t.values().length * t.type().bytes()).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : t.values()) {
                    t.type().write(data, v);
                }
                data.flip();
                while (data.hasRemaining()) {
                    out.write(data);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

}
