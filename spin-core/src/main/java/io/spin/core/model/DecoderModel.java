package io.spin.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.spin.data.hf.HfConfig;
import io.spin.data.model.ModelConfig;

/**
 * A decoder-only language model of one family ({@link GptModel}, {@link LlamaModel}); sampling, log-probabilities and
 * training see only this.
 *
 * <p>Inputs of {@link #forward}: token ids (batch, tokens), position ids (batch, tokens), and an additive attention
 * bias (batch or 1, 1, tokens, keys) that holds the causal mask and masks padding keys. Output: logits
 * (batch, tokens, vocab).
 */
public abstract class DecoderModel extends AbstractBlock {
    /** Large negative bias: finite, so fully masked (padding) rows give uniform attention instead of NaN. */
    public static final float MASKED = -1e9f;

    protected final ModelConfig config;
    private volatile LayerCheckpoints checkpoints;

    protected DecoderModel(ModelConfig config) {
        super((byte) 1);
        this.config = config;
    }

    /** The model of the config's family, its parameters not yet allocated. */
    public static DecoderModel of(ModelConfig config) {
        return config.family() == HfConfig.Family.GPT2 ? new GptModel(config) : new LlamaModel(config);
    }

    public ModelConfig config() {
        return config;
    }

    /** The decoder layers' parameters: not the embeddings, the output layer or the final norm. */
    ai.djl.util.PairList<String, ai.djl.nn.Parameter> layerParameters() {
        ai.djl.util.PairList<String, ai.djl.nn.Parameter> out = new ai.djl.util.PairList<>();
        for (ai.djl.util.Pair<String, ai.djl.nn.Block> child : getChildren()) {
            if (child.getValue() instanceof LlamaLayer || child.getValue() instanceof DecoderLayer) {
                for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : child.getValue().getParameters()) {
                    out.add(child.getKey() + "_" + p.getKey(), p.getValue()); // named as getParameters() names it
                }
            }
        }
        return out;
    }

    /** Allocates and randomly initialises every parameter on the manager. */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1, 1, 1));
    }

    /** Adds LoRA adapters to the projections (null removes them); only the Llama family has them. */
    public void attach(io.spin.core.lora.Lora lora) {
        throw new IllegalArgumentException("LoRA needs a Llama-family model (Llama, Mistral, Qwen2); this one is " + config.architecture());
    }

    /**
     * Starts activation checkpointing per decoder layer: training forwards from now until the returned recorder closes
     * keep only the layers' inputs, and the recorder's {@link LayerCheckpoints#backward} completes the backward after
     * the loss's. Inference forwards are unaffected.
     */
    public LayerCheckpoints checkpointLayers() {
        LayerCheckpoints started = new LayerCheckpoints(this);
        checkpoints = started;
        return started;
    }

    void stopCheckpointing(LayerCheckpoints ended) {
        if (checkpoints == ended) {
            checkpoints = null;
        }
    }

    /** The decoder layers applied in order to x, each in its own scope, checkpointed while training if asked. */
    protected NDArray layers(int count, NDArray x, LayerCheckpoints.Layer layer, boolean training) {
        LayerCheckpoints recording = checkpoints;
        if (training && recording != null) {
            return recording.forward(count, x, layer);
        }
        for (int i = 0; i < count; i++) {
            NDArray input = x;
            int index = i;
            x = inLayerScope(() -> layer.apply(index, input));
        }
        return x;
    }

    /** Logits (batch, tokens, vocab), float32; with a cache, the new keys and values are appended to it. */
    public NDArray forward(ParameterStore ps, NDArray tokenIds, NDArray positionIds, NDArray bias, KvCache cache, boolean training) {
        return project(ps, hidden(ps, tokenIds, positionIds, bias, cache, training), training);
    }

    /**
     * The final (normed) hidden states (batch, tokens, width), before the output layer: callers that need the logits of
     * a few positions only (the response tokens of a loss, the last prompt token of a prefill) select those first and
     * {@link #project} them, instead of a (tokens x vocabulary) product and softmax over every position.
     */
    public abstract NDArray hidden(ParameterStore ps, NDArray tokenIds, NDArray positionIds, NDArray bias, KvCache cache,
                                   boolean training);

    /**
     * One layer's forward in its own NDScope: what the layer made is released when it returns, except its output. DJL
     * otherwise keeps every intermediate of a forward until the step's manager closes (the sum of all layers'
     * intermediates, where eager PyTorch holds only what autograd saved); releasing a handle that autograd saved does
     * not free the tensor, which the graph keeps until backward. Scalars made for autograd ({@link Scalars}) live on the
     * manager, outside any scope, since they are made from Java memory.
     */
    static NDArray inLayerScope(java.util.function.Supplier<NDArray> layer) {
        NDArray output;
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            scope.suppressNotUsedWarning();
            output = layer.get();
            ai.djl.ndarray.NDScope.unregister(output);
        }
        ai.djl.ndarray.NDScope.register(output); // to the enclosing scope, which releases it with the step
        return output;
    }

    /** Logits (..., vocab) in float32 of hidden states (..., width). */
    public abstract NDArray project(ParameterStore ps, NDArray hidden, boolean training);

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
