package io.spin.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.spin.core.lora.Lora;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.PromptFormat;

/**
 * A language model ready to use: the decoder, its tokenizer and prompt format, and the NDManager that owns its
 * parameters. Both generation and training take a Policy, so both use the same tokens for the same prompt.
 */
public final class Policy implements AutoCloseable {
    private final NDManager manager;
    private final DecoderModel model;
    private final PromptFormat format;
    private final ParameterStore parameterStore;
    private final ParameterStore samplingStore;
    private Lora lora;
    private StoredModel base;
    private DataType baseType = DataType.FLOAT32;

    /** Where a policy's base weights are stored: a checkpoint's folder URI and its manifest's SHA-256. */
    public record StoredModel(String uri, String manifestSha256) {
    }

    Policy(NDManager manager, DecoderModel model, PromptFormat format, DataType samplingType) {
        this.manager = manager;
        this.model = model;
        this.format = format;
        this.parameterStore = new FrozenBase.Widening(manager);
        this.samplingStore = samplingType == DataType.FLOAT32 ? parameterStore : new SamplingParameterStore(manager, samplingType);
    }

    /** A manager for a model's parameters on the device {@link Compute#current()} chose. */
    public static NDManager newManager() {
        return NDManager.newBaseManager(Compute.current().device());
    }

    /** A freshly initialised byte-level model; the same seed gives the same weights. */
    public static Policy create(ModelConfig config, String promptTemplate, long seed) {
        return create(config, new PromptFormat(promptTemplate, new ByteTokenizer()), seed);
    }

    /** A freshly initialised model for this prompt format and tokenizer. */
    public static Policy create(ModelConfig config, PromptFormat format, long seed) {
        return create(config, format, seed, Compute.current().samplingType());
    }

    /** A freshly initialised model that samples in {@code samplingType} whatever {@link Compute} says (tests, benchmarks). */
    public static Policy create(ModelConfig config, PromptFormat format, long seed, DataType samplingType) {
        if (config.vocabSize() < format.tokenizer().vocabSize()) {
            throw new IllegalArgumentException("model vocabulary " + config.vocabSize() + " is smaller than the tokenizer's "
                    + format.tokenizer().vocabSize());
        }
        NDManager manager = newManager();
        Engine.getInstance().setRandomSeed((int) seed);
        DecoderModel model = DecoderModel.of(config);
        model.initialize(manager);
        return new Policy(manager, model, format, samplingType);
    }

    /** Wraps parameters that were loaded onto {@code manager}. */
    public static Policy of(NDManager manager, DecoderModel model, PromptFormat format) {
        return new Policy(manager, model, format, Compute.current().samplingType());
    }

    public NDManager manager() {
        return manager;
    }

    public DecoderModel model() {
        return model;
    }

    public ModelConfig config() {
        return model.config();
    }

    public PromptFormat format() {
        return format;
    }

    /** The float32 weights, for training and log-probabilities. */
    public ParameterStore parameterStore() {
        return parameterStore;
    }

    /** The weights in the sampling precision ({@link Compute}): the float32 ones unless float16 was chosen. */
    public ParameterStore samplingStore() {
        return samplingStore;
    }

    /**
     * Adds LoRA adapters: from now on the base weights are frozen (no gradient, no optimizer state) and only the
     * adapters train. The adapters' arrays must live on this policy's manager.
     */
    public void attach(Lora adapters) {
        attach(adapters, Compute.current().frozenType());
    }

    /**
     * Adds LoRA adapters holding the frozen base in {@code frozenType}: float32, or float16 (the decoder layers'
     * matrices at 2 bytes per parameter, widened to float32 one layer at a time to compute; training then checkpoints
     * every layer).
     */
    public void attach(Lora adapters, DataType frozenType) {
        if (lora != null) {
            throw new IllegalStateException("the policy already has LoRA adapters");
        }
        if (frozenType != DataType.FLOAT32 && frozenType != DataType.FLOAT16) {
            throw new IllegalArgumentException("a frozen base is held in float32 or float16, not " + frozenType);
        }
        for (Pair<String, Parameter> p : model.getParameters()) {
            p.getValue().getArray().setRequiresGradient(false);
        }
        if (frozenType != DataType.FLOAT32) {
            FrozenBase.hold(model, manager, frozenType);
            baseType = frozenType;
        }
        model.attach(adapters);
        lora = adapters;
        weightsChanged();
    }

    /** The type the decoder layers' (frozen) matrices are held in: float32 unless a LoRA base was narrowed. */
    public DataType baseType() {
        return baseType;
    }

    /**
     * Swaps the adapters for others on the same base (a generator's next iteration): the base stays loaded, the old
     * adapters are freed.
     */
    public void replace(Lora adapters) {
        if (lora == null) {
            throw new IllegalStateException("the policy has no LoRA adapters to replace");
        }
        Lora old = lora;
        model.attach(adapters);
        lora = adapters;
        old.close();
        weightsChanged();
    }

    /** The stored checkpoint this policy's (base) weights were loaded from, or null when they were never stored. */
    public StoredModel base() {
        return base;
    }

    /** Records where the (base) weights are stored: an adapter checkpoint names it instead of holding the weights. */
    public void storedAs(StoredModel stored) {
        this.base = stored;
    }

    /** The LoRA adapters, or null for full fine-tuning. */
    public Lora lora() {
        return lora;
    }

    /** What training updates: the adapters under LoRA, else every parameter. */
    public PairList<String, Parameter> trainableParameters() {
        return lora != null ? lora.parameters() : model.getParameters();
    }

    /** The precision sampling computes in. */
    public DataType samplingType() {
        return samplingStore instanceof SamplingParameterStore s ? s.type() : DataType.FLOAT32;
    }

    /**
     * Says the float32 weights changed (an optimizer step, a load): a half-precision sampling copy is made again on
     * its next read, so sampling always sees the weights training left.
     */
    public void weightsChanged() {
        if (samplingStore instanceof SamplingParameterStore s) {
            s.invalidate();
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
