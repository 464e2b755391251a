package io.spin.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * Root-mean-square norm over the last axis (Llama's): weight * x / sqrt(mean(x^2) + eps), no centring and no bias.
 * The weight is a GAMMA parameter, so AdamW does not decay it (as it does not decay LayerNorm's).
 */
final class RmsNorm extends AbstractBlock {
    private final float eps;
    private final Parameter weight;

    RmsNorm(int width, double eps) {
        super((byte) 1);
        this.eps = (float) eps;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA).optShape(new Shape(width))
                .optInitializer(new ConstantInitializer(1f)).build());
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        // in float32 whatever the input's precision, as transformers computes it
        NDArray x32 = x.toType(DataType.FLOAT32, false);
        NDArray scale = x32.square().mean(new int[] {-1}, true).add(Scalars.constant(x32, eps)).sqrt();
        return x32.div(scale).toType(x.getDataType(), false).mul(ps.getValue(weight, x.getDevice(), training));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.head(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    }
}
