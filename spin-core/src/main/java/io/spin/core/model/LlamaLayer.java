package io.spin.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.List;

import io.spin.core.lora.LayerAdapters;
import io.spin.data.model.ModelConfig;

/**
 * A Llama-family decoder layer: x + attn(rmsnorm(x)) with rotary positions and grouped key/value heads, then
 * x + down(silu(gate(h)) * up(h)) with h = rmsnorm(x). q|k|v and gate|up are each one projection (one matrix product
 * instead of three or two); import and export split them into Hugging Face's tensors.
 */
final class LlamaLayer extends AbstractBlock {
    private static final List<String> QKV = List.of("q_proj", "k_proj", "v_proj");
    private static final List<String> O = List.of("o_proj");
    private static final List<String> GATE_UP = List.of("gate_proj", "up_proj");
    private static final List<String> DOWN = List.of("down_proj");
    private final ModelConfig config;
    private final RmsNorm attentionNorm;
    private final Linear qkv;
    private final Linear attentionOut;
    private final RmsNorm mlpNorm;
    private final Linear gateUp;
    private final Linear down;
    private final long[] qkvWidths;
    private LayerAdapters adapters;

    LlamaLayer(ModelConfig config) {
        super((byte) 1);
        this.config = config;
        attentionNorm = addChildBlock("attentionNorm", new RmsNorm(config.width(), config.normEps()));
        qkv = addChildBlock("qkv", Linear.builder().setUnits(config.width() + 2L * config.kvWidth()).optBias(config.attentionBias()).build());
        attentionOut = addChildBlock("attentionOut", Linear.builder().setUnits(config.width()).optBias(config.outputBias()).build());
        mlpNorm = addChildBlock("mlpNorm", new RmsNorm(config.width(), config.normEps()));
        gateUp = addChildBlock("gateUp", Linear.builder().setUnits(2L * config.mlpWidth()).optBias(false).build());
        down = addChildBlock("down", Linear.builder().setUnits(config.width()).optBias(false).build());
        qkvWidths = new long[] {config.width(), config.kvWidth(), config.kvWidth()};
    }

    /** LoRA adapters to add to this layer's projections, or null for none. */
    void adapters(LayerAdapters adapters) {
        this.adapters = adapters;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden = new Shape(1, 1, config.width());
        attentionNorm.initialize(manager, dataType, hidden);
        qkv.initialize(manager, dataType, hidden);
        attentionOut.initialize(manager, dataType, hidden);
        mlpNorm.initialize(manager, dataType, hidden);
        gateUp.initialize(manager, dataType, hidden);
        down.initialize(manager, dataType, new Shape(1, 1, config.mlpWidth()));
    }

    /**
     * @param x (batch, tokens, width)
     * @param angles the rotary cos and sin of the tokens' positions, (batch, 1, tokens, headSize)
     * @param bias additive attention bias broadcastable to (batch, heads, tokens, keys)
     * @param cache null, or the cache this layer appends its (rotated) keys and values to
     */
    NDArray forward(ParameterStore ps, NDArray x, NDList angles, NDArray bias, KvCache cache, int layer, boolean training) {
        NDArray h = attentionNorm.forward(ps, x, training);
        NDArray projected = qkv.forward(ps, new NDList(h), training).head();
        if (adapters != null) {
            projected = adapters.apply(ps, h, projected, QKV, qkvWidths, training);
        }
        NDList parts = projected.split(new long[] {config.width(), config.width() + config.kvWidth()}, 2);
        NDArray q = Rotary.apply(heads(parts.get(0), config.heads()), angles);
        NDArray k = Rotary.apply(heads(parts.get(1), config.kvHeads()), angles);
        NDArray v = heads(parts.get(2), config.kvHeads());
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        k = shared(k);
        v = shared(v);
        NDArray attended = Attention.attend(q, k, v, bias);
        x = x.add(adapted(ps, attentionOut, attended, O, training));
        NDArray m = mlpNorm.forward(ps, x, training);
        NDArray gateAndUp = gateUp.forward(ps, new NDList(m), training).head();
        if (adapters != null) {
            gateAndUp = adapters.apply(ps, m, gateAndUp, GATE_UP, new long[] {config.mlpWidth(), config.mlpWidth()}, training);
        }
        NDList gu = gateAndUp.split(2, 2);
        NDArray gated = Activation.sigmoid(gu.get(0)).mul(gu.get(0)).mul(gu.get(1));
        return x.add(adapted(ps, down, gated, DOWN, training));
    }

    private NDArray adapted(ParameterStore ps, Linear projection, NDArray input, List<String> module, boolean training) {
        NDArray out = projection.forward(ps, new NDList(input), training).head();
        return adapters == null ? out : adapters.apply(ps, input, out, module, new long[] {out.getShape().get(2)}, training);
    }

    /** (batch, tokens, n x headSize) -> (batch, n, tokens, headSize). */
    private NDArray heads(NDArray x, int n) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), n, config.headSize()).transpose(0, 2, 1, 3);
    }

    /** Grouped-query attention: each key/value head serves heads / kvHeads consecutive query heads (HF's repeat_kv). */
    private NDArray shared(NDArray kv) {
        int group = config.heads() / config.kvHeads();
        if (group == 1) {
            return kv;
        }
        Shape s = kv.getShape();
        return kv.expandDims(2).broadcast(new Shape(s.get(0), s.get(1), group, s.get(2), s.get(3)))
                .reshape(s.get(0), s.get(1) * group, s.get(2), s.get(3));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("called through LlamaModel.forward");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
