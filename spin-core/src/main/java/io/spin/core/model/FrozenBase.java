package io.spin.core.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

/**
 * A LoRA policy's frozen base held in 16 bits: the decoder layers' weight matrices (all but a fraction of a large
 * model's parameters; the embeddings, output layer and norms stay float32) become float16, 2 bytes per parameter
 * instead of 4. The arithmetic stays float32: {@link Widening} hands each layer float32 copies of its matrices, made
 * inside the layer's scope and released with it, so the only difference from a float32 base is the weights' rounding.
 */
final class FrozenBase {
    private FrozenBase() {
    }

    /** Re-types the decoder layers' matrices in place; fails naming a weight that does not fit the type. */
    static void hold(DecoderModel model, NDManager manager, DataType type) {
        for (Pair<String, Parameter> p : model.layerParameters()) {
            Parameter parameter = p.getValue();
            NDArray old = parameter.getArray();
            if (old.getShape().dimension() != 2 || old.getDataType() == type) {
                continue;
            }
            NDArray narrowed = old.toType(type, true);
            if (overflows(narrowed)) {
                narrowed.close();
                throw new IllegalArgumentException("weight " + p.getKey() + " has values beyond " + type + "'s range (65,504):"
                        + " hold the base in float32 (SPIN_FROZEN_DTYPE=float32)");
            }
            replace(parameter, narrowed, manager);
            old.close();
        }
    }

    /** Whether the narrowed weights hold an infinity; the check's temporaries (a byte per weight) are freed at once. */
    private static boolean overflows(NDArray narrowed) {
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            scope.suppressNotUsedWarning();
            return narrowed.isInfinite().any().getBoolean();
        }
    }

    /**
     * DJL's Parameter takes an array once (setArray refuses a second); its public load does take a new one, from the
     * stream format Parameter.save writes: 'P', version 1, the name, the encoded array.
     */
    private static void replace(Parameter parameter, NDArray array, NDManager manager) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeChar('P');
                out.writeByte(1);
                out.writeUTF(parameter.getName());
                out.write(array.encode());
            }
            array.close();
            parameter.load(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("could not re-type " + parameter.getName(), e);
        }
    }

    /**
     * The store training and log-probabilities read: float32 as held, a float32 copy of a 16-bit matrix otherwise
     * (made in the current layer's NDScope, which releases it).
     */
    static final class Widening extends ParameterStore {
        Widening(NDManager manager) {
            super(manager, false);
        }

        @Override
        public NDArray getValue(Parameter parameter, Device device, boolean training) {
            if (parameter == null) {
                return null; // a Linear without bias asks for its absent bias
            }
            // the array itself, never one cached by the superclass: a re-typed parameter holds a new array
            NDArray value = parameter.getArray();
            if (!value.getDevice().equals(device)) {
                throw new IllegalStateException(parameter.getName() + " is on " + value.getDevice() + ", its input on " + device);
            }
            return value.getDataType() == DataType.FLOAT32 ? value : value.toType(DataType.FLOAT32, true);
        }
    }
}
