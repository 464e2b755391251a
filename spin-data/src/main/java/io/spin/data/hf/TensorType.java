package io.spin.data.hf;

import java.nio.ByteBuffer;

/** The element types SPIN reads and writes in safetensors files, by their header names. */
public enum TensorType {
    F32(4), F16(2), BF16(2);

    private final int bytes;

    TensorType(int bytes) {
        this.bytes = bytes;
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
