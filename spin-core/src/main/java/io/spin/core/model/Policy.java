package io.spin.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.spin.core.text.ByteTokenizer;
import io.spin.core.text.PromptFormat;

/**
 * A language model ready to use: the decoder, its tokenizer and prompt format, and the NDManager that owns its
 * parameters. Both generation and training take a Policy, so both use the same tokens for the same prompt.
 */
public final class Policy implements AutoCloseable {
    private final NDManager manager;
    private final GptModel model;
    private final PromptFormat format;
    private final ParameterStore parameterStore;

    Policy(NDManager manager, GptModel model, PromptFormat format) {
        this.manager = manager;
        this.model = model;
        this.format = format;
        this.parameterStore = new ParameterStore(manager, false);
    }

    /** A freshly initialised model; the same seed gives the same weights. */
    public static Policy create(ModelConfig config, String promptTemplate, long seed) {
        NDManager manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed((int) seed);
        GptModel model = new GptModel(config);
        model.initialize(manager);
        return new Policy(manager, model, new PromptFormat(promptTemplate, new ByteTokenizer()));
    }

    /** Wraps parameters that were loaded onto {@code manager}. */
    public static Policy of(NDManager manager, GptModel model, PromptFormat format) {
        return new Policy(manager, model, format);
    }

    public NDManager manager() {
        return manager;
    }

    public GptModel model() {
        return model;
    }

    public ModelConfig config() {
        return model.config();
    }

    public PromptFormat format() {
        return format;
    }

    public ParameterStore parameterStore() {
        return parameterStore;
    }

    @Override
    public void close() {
        manager.close();
    }
}
