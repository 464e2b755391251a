package io.spin.core.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * One decoder layer's adapters. SPIN's Llama layer computes q|k|v and gate|up as one fused projection each, so the
 * adapters of the modules inside a fused projection are applied side by side: the fused output gains
 * [scale B_q A_q h | scale B_k A_k h | 0 for an untargeted part ...].
 */
public final class LayerAdapters {
    private final Map<String, Adapter> byModule = new LinkedHashMap<>();
    private final float scale;

    LayerAdapters(float scale) {
        this.scale = scale;
    }

    void put(String module, Adapter adapter) {
        byModule.put(module, adapter);
    }

    public Map<String, Adapter> adapters() {
        return byModule;
    }

    /**
     * The fused projection's output plus its modules' adapter terms.
     *
     * @param modules the modules side by side in the fused output, with their widths
     */
    public NDArray apply(ParameterStore ps, NDArray input, NDArray projected, List<String> modules, long[] widths, boolean training) {
        List<NDArray> parts = new ArrayList<>(modules.size());
        boolean any = false;
        for (int i = 0; i < modules.size(); i++) {
            Adapter adapter = byModule.get(modules.get(i));
            if (adapter == null) {
                Shape s = input.getShape();
                parts.add(projected.getManager().zeros(new Shape(s.get(0), s.get(1), widths[i]), projected.getDataType()));
            } else {
                parts.add(adapter.delta(ps, input, scale, training));
                any = true;
            }
        }
        if (!any) {
            return projected;
        }
        return projected.add(parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 2));
    }
}
