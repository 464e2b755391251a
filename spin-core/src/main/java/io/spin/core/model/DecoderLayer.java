package io.spin.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.spin.data.model.ModelConfig;

/** Pre-layer-norm decoder layer: x + attn(ln1(x)), then x + mlp(ln2(x)), with causal multi-head self-attention. */
final class DecoderLayer extends AbstractBlock {
    private final ModelConfig config;
    private final LayerNorm attentionNorm;
    private final Linear qkv;
    private final Linear attentionOut;
    private final LayerNorm mlpNorm;
    private final Linear mlpIn;
    private final Linear mlpOut;

    DecoderLayer(ModelConfig config) {
        super((byte) 1);
        this.config = config;
        attentionNorm = addChildBlock("attentionNorm", LayerNorm.builder().axis(2).optEpsilon((float) config.normEps()).build());
        qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * config.width()).build());
        attentionOut = addChildBlock("attentionOut", Linear.builder().setUnits(config.width()).build());
        mlpNorm = addChildBlock("mlpNorm", LayerNorm.builder().axis(2).optEpsilon((float) config.normEps()).build());
        mlpIn = addChildBlock("mlpIn", Linear.builder().setUnits(config.mlpWidth()).build());
        mlpOut = addChildBlock("mlpOut", Linear.builder().setUnits(config.width()).build());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden = new Shape(1, 1, config.width());
        attentionNorm.initialize(manager, dataType, hidden);
        qkv.initialize(manager, dataType, hidden);
        attentionOut.initialize(manager, dataType, hidden);
        mlpNorm.initialize(manager, dataType, hidden);
        mlpIn.initialize(manager, dataType, hidden);
        mlpOut.initialize(manager, dataType, new Shape(1, 1, config.mlpWidth()));
    }

    /**
     * @param x (batch, tokens, width)
     * @param bias additive attention bias broadcastable to (batch, heads, tokens, keys): 0 or a large negative number
     * @param cache null, or the cache this layer appends its keys and values to
     */
    NDArray forward(ParameterStore ps, NDArray x, NDArray bias, KvCache cache, int layer, boolean training) {
        long batch = x.getShape().get(0);
        long tokens = x.getShape().get(1);
        int heads = config.heads();
        int headSize = config.headSize();
        NDArray h = attentionNorm.forward(ps, new NDList(x), training).head();
        // one reshape and one transpose for q, k and v together: (3, batch, heads, tokens, headSize)
        NDList qkvParts = qkv.forward(ps, new NDList(h), training).head().reshape(batch, tokens, 3, heads, headSize)
                .transpose(2, 0, 3, 1, 4).split(3, 0);
        NDArray q = qkvParts.get(0).squeeze(0);
        NDArray k = qkvParts.get(1).squeeze(0);
        NDArray v = qkvParts.get(2).squeeze(0);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        NDArray attended = Attention.attend(q, k, v, bias);
        x = x.add(attentionOut.forward(ps, new NDList(attended), training).head());
        NDArray m = mlpNorm.forward(ps, new NDList(x), training).head();
        m = activation(mlpIn.forward(ps, new NDList(m), training).head());
        return x.add(mlpOut.forward(ps, new NDList(m), training).head());
    }

    /** The config's GELU; the tanh form is GPT-2's: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))). */
    private NDArray activation(NDArray x) {
        if (config.activation().equals(ModelConfig.GELU)) {
            return Activation.gelu(x);
        }
        NDArray cube = x.pow(Scalars.constant(x, 3f));
        NDArray inner = x.add(cube.mul(Scalars.constant(x, 0.044715f))).mul(Scalars.constant(x, (float) Math.sqrt(2 / Math.PI)));
        return x.mul(inner.tanh().add(Scalars.constant(x, 1f))).mul(Scalars.constant(x, 0.5f));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.get(0), inputs.get(1), null, 0, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
