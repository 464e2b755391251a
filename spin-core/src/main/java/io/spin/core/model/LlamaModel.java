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
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;

import io.spin.core.lora.Lora;
import io.spin.data.model.ModelConfig;

/**
 * The Llama family's decoder (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM): token embedding, rotary
 * positions, RMSNorm pre-norm layers with grouped-query attention and a gated SiLU MLP, a final RMSNorm, and an output
 * layer of its own unless tied to the embedding. Written from transformers' modeling_llama.
 */
public final class LlamaModel extends DecoderModel {
    private final Parameter tokenEmbedding;
    private final Parameter outputLayer;
    private final List<LlamaLayer> layers = new ArrayList<>();
    private final RmsNorm finalNorm;
    private final Rotary rotary;

    public LlamaModel(ModelConfig config) {
        super(config);
        tokenEmbedding = addParameter(Parameter.builder().setName("tokenEmbedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.vocabSize(), config.width())).optInitializer(new NormalInitializer(0.02f)).build());
        for (int i = 0; i < config.layers(); i++) {
            layers.add(addChildBlock("layer" + i, new LlamaLayer(config)));
        }
        finalNorm = addChildBlock("finalNorm", new RmsNorm(config.width(), config.normEps()));
        outputLayer = config.tiedEmbeddings() ? null : addParameter(Parameter.builder().setName("outputLayer")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(config.vocabSize(), config.width()))
                .optInitializer(new NormalInitializer(0.02f)).build());
        rotary = new Rotary(config.headSize(), config.contextLength(), config.ropeTheta());
        setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden = new Shape(1, 1, config.width());
        for (LlamaLayer layer : layers) {
            layer.initialize(manager, dataType, hidden);
        }
        finalNorm.initialize(manager, dataType, hidden);
    }

    @Override
    public void attach(Lora lora) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).adapters(lora == null ? null : lora.layer(i));
        }
    }

    @Override
    public NDArray hidden(ParameterStore ps, NDArray tokenIds, NDArray positionIds, NDArray bias, KvCache cache, boolean training) {
        NDArray embedding = ps.getValue(tokenEmbedding, tokenIds.getDevice(), training);
        NDArray x = Embedding.embedding(tokenIds, embedding, SparseFormat.DENSE).singletonOrThrow();
        NDList angles = rotary.angles(positionIds, tokenEmbedding.getArray().getManager(), x.getDataType());
        x = layers(layers.size(), x, (i, input) -> layers.get(i).forward(ps, input, angles, bias, cache, i, training), training);
        return finalNorm.forward(ps, x, training);
    }

    @Override
    public NDArray project(ParameterStore ps, NDArray hidden, boolean training) {
        NDArray output = ps.getValue(outputLayer == null ? tokenEmbedding : outputLayer, hidden.getDevice(), training);
        return hidden.matMul(output.transpose()).toType(DataType.FLOAT32, false);
    }
}
