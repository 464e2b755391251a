package io.spin.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.spin.core.model.Scalars;

/** One projection's low-rank pair: A (rank x in) and B (out x rank), in PEFT's shapes. */
public record Adapter(Parameter a, Parameter b) {
    /** scale * (x A^T) B^T for x of (batch, tokens, in): (batch, tokens, out), never the (out x in) product. */
    NDArray delta(ParameterStore ps, NDArray x, float scale, boolean training) {
        NDArray aw = ps.getValue(a, x.getDevice(), training);
        NDArray bw = ps.getValue(b, x.getDevice(), training);
        NDArray low = x.matMul(aw.transpose());
        return low.matMul(bw.transpose()).mul(Scalars.constant(low, scale));
    }
}
