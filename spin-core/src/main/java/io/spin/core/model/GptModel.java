package io.spin.core.model;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

import io.spin.data.model.ModelConfig;

/**
 * GPT-style decoder-only language model: token + learned position embeddings, pre-LN decoder layers, a final
 * layer norm, and an output layer tied to the token embedding.
 *
 * <p>Inputs of {@link #forward}: token ids (batch, tokens), position ids (batch, tokens), and an additive attention
 * bias (batch or 1, 1, tokens, keys) that holds the causal mask and masks padding keys. Output: logits
 * (batch, tokens, vocab).
 */
public final class GptModel extends AbstractBlock {
    /** Large negative bias: finite, so fully masked (padding) rows give uniform attention instead of NaN. */
    public static final float MASKED = -1e9f;

    private final ModelConfig config;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalNorm;

    public GptModel(ModelConfig config) {
        super((byte) 1);
        this.config = config;
        tokenEmbedding = addParameter(Parameter.builder().setName("tokenEmbedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.vocabSize(), config.width())).optInitializer(new NormalInitializer(0.02f)).build());
        positionEmbedding = addParameter(Parameter.builder().setName("positionEmbedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.contextLength(), config.width())).optInitializer(new NormalInitializer(0.01f)).build());
        for (int i = 0; i < config.layers(); i++) {
            layers.add(addChildBlock("layer" + i, new DecoderLayer(config)));
        }
        finalNorm = addChildBlock("finalNorm", LayerNorm.builder().axis(2).optEpsilon((float) config.normEps()).build());
        setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
    }

    public ModelConfig config() {
        return config;
    }

    /** Allocates and randomly initialises every parameter on the manager. */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1, 1, 1));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden = new Shape(1, 1, config.width());
        for (DecoderLayer layer : layers) {
            layer.initialize(manager, dataType, hidden, new Shape(1, 1, 1, 1));
        }
        finalNorm.initialize(manager, dataType, hidden);
    }

    /** Logits (batch, tokens, vocab); with a cache, the new keys and values are appended to it. */
    public NDArray forward(ParameterStore ps, NDArray tokenIds, NDArray positionIds, NDArray bias, KvCache cache, boolean training) {
        NDArray tokens = ps.getValue(tokenEmbedding, tokenIds.getDevice(), training);
        NDArray positions = ps.getValue(positionEmbedding, tokenIds.getDevice(), training);
        NDArray x = Embedding.embedding(tokenIds, tokens, SparseFormat.DENSE).singletonOrThrow()
                .add(Embedding.embedding(positionIds, positions, SparseFormat.DENSE).singletonOrThrow());
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(ps, x, bias, cache, i, training);
        }
        x = finalNorm.forward(ps, new NDList(x), training).head();
        return x.matMul(tokens.transpose());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.get(0), inputs.get(1), inputs.get(2), null, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape ids = inputShapes[0];
        return new Shape[] {new Shape(ids.get(0), ids.get(1), config.vocabSize())};
    }
}
