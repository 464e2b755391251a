package io.spin.data.hf;

import java.nio.ByteBuffer;

/** The element types SPIN reads and writes in safetensors files, by their header names. */
public enum TensorType {
    F32(4, "float32"), F16(2, "float16"), BF16(2, "bfloat16");

    private final int bytes;
    private final String torchName;

    TensorType(int bytes, String torchName) {
        this.bytes = bytes;
        this.torchName = torchName;
    }

    /** The name config.json's torch_dtype uses. */
    public String torchName() {
        return torchName;
    }

    /** The type a torch_dtype names (float32, float16, bfloat16), or null for another. */
    public static TensorType ofTorchName(String name) {
        for (TensorType t : values()) {
            if (t.torchName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    public int bytes() {
        return bytes;
    }

    /** The type a header names, or null for one SPIN does not read (I8, F64, ...). */
    static TensorType of(String name) {
        for (TensorType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    float read(ByteBuffer little, int index) {
        return switch (this) {
            case F32 -> little.getFloat(index * 4);
            case F16 -> HalfFloats.f16ToFloat(little.getShort(index * 2));
            case BF16 -> HalfFloats.bf16ToFloat(little.getShort(index * 2));
        };
    }

    void write(ByteBuffer little, float value) {
        switch (this) {
            case F32 -> little.putFloat(value);
            case F16 -> little.putShort(HalfFloats.floatToF16(value));
            case BF16 -> little.putShort(HalfFloats.floatToBf16(value));
        }
    }
}
