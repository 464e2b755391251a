package io.spin.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

/**
 * Gradient housekeeping. Clipping is by GLOBAL norm over all parameters: DJL's optimizer clipGrad only clamps from
 * above, so negative gradients would go unclipped.
 */
final class Gradients {
    private Gradients() {
    }

    /** Scales all gradients so their global L2 norm is at most maxNorm; returns the norm before clipping. */
    static double clipGlobalNorm(PairList<String, Parameter> parameters, double maxNorm) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList squares = new NDList(parameters.size());
            for (Pair<String, Parameter> p : parameters) {
                squares.add(p.getValue().getArray().getGradient().square().sum());
            }
            double norm = Math.sqrt(NDArrays.stack(squares).sum().getFloat()); // one sync per step, not one per parameter
            if (maxNorm > 0 && norm > maxNorm) {
                float scale = (float) (maxNorm / (norm + 1e-6));
                for (Pair<String, Parameter> p : parameters) {
                    p.getValue().getArray().getGradient().muli(scale);
                }
            }
            return norm;
        }
    }

    static void zero(PairList<String, Parameter> parameters) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Pair<String, Parameter> p : parameters) {
                NDArray gradient = p.getValue().getArray().getGradient();
                gradient.muli(0f);
            }
        }
    }
}
