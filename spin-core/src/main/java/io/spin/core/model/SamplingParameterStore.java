package io.spin.core.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * The weights as sampling reads them: a copy in half precision (float16, the default on a GPU), made per parameter on the
 * policy's manager when sampling first reads it after the weights last changed ({@link #invalidate}, which every
 * optimizer step and every load calls through {@link Policy#weightsChanged}). Training never sees it: it reads the
 * float32 weights through the policy's own store.
 */
final class SamplingParameterStore extends ParameterStore {
    private final NDManager manager;
    private final DataType type;
    private final Map<String, NDArray> copies = new ConcurrentHashMap<>();

    SamplingParameterStore(NDManager manager, DataType type) {
        super(manager, false);
        this.manager = manager;
        this.type = type;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null) {
            return null; // a Linear without bias asks for its absent bias
        }
        if (training) {
            throw new IllegalStateException("the " + type + " sampling copy of the weights is not for training");
        }
        if (parameter.getArray().getDataType() == type) {
            return parameter.getArray(); // a frozen base already held in this type: no second copy
        }
        return copies.computeIfAbsent(parameter.getId(), id -> {
            NDArray copy = parameter.getArray().toType(type, true);
            NDScope.unregister(copy);
            copy.attach(manager);
            return copy;
        });
    }

    /** Drops every copy: the next read copies the weights as they are now. */
    void invalidate() {
        copies.values().forEach(NDArray::close);
        copies.clear();
    }

    DataType type() {
        return type;
    }
}
