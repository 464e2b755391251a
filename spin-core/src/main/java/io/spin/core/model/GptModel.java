package io.spin.core.model;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;

import io.spin.data.model.ModelConfig;

/**
 * GPT-2's decoder (SPIN's own models too): token + learned position embeddings, pre-LN decoder layers, a final
 * layer norm, and an output layer tied to the token embedding.
 */
public final class GptModel extends DecoderModel {
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalNorm;

    public GptModel(ModelConfig config) {
        super(config);
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

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden = new Shape(1, 1, config.width());
        for (DecoderLayer layer : layers) {
            layer.initialize(manager, dataType, hidden, new Shape(1, 1, 1, 1));
        }
        finalNorm.initialize(manager, dataType, hidden);
    }

    @Override
    public NDArray hidden(ParameterStore ps, NDArray tokenIds, NDArray positionIds, NDArray bias, KvCache cache, boolean training) {
        NDArray tokens = ps.getValue(tokenEmbedding, tokenIds.getDevice(), training);
        NDArray positions = ps.getValue(positionEmbedding, tokenIds.getDevice(), training);
        NDArray x = Embedding.embedding(tokenIds, tokens, SparseFormat.DENSE).singletonOrThrow()
                .add(Embedding.embedding(positionIds, positions, SparseFormat.DENSE).singletonOrThrow());
        x = layers(layers.size(), x, (i, input) -> layers.get(i).forward(ps, input, bias, cache, i, training), training);
        return finalNorm.forward(ps, new NDList(x), training).head();
    }

    @Override
    public NDArray project(ParameterStore ps, NDArray hidden, boolean training) {
        NDArray tokens = ps.getValue(tokenEmbedding, hidden.getDevice(), training); // tied output layer
        return hidden.matMul(tokens.transpose()).toType(DataType.FLOAT32, false);
    }
}
