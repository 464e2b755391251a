package io.spin.core.hf;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.spin.core.lora.Lora;
import io.spin.data.model.LoraConfig;
import io.spin.core.model.DecoderModel;
import io.spin.core.model.Policy;
import io.spin.core.text.HuggingFaceTokenizer;
import io.spin.core.text.JinjaChatTemplate;
import io.spin.data.hf.HfConfig;
import io.spin.data.hf.HfTensors;
import io.spin.data.hf.ModelWeights;
import io.spin.data.hf.SafeTensors;
import io.spin.data.hf.TensorType;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.PromptFormat;

/**
 * Hugging Face causal LMs in and out: GPT2LMHeadModel onto SPIN's GPT, LlamaForCausalLM, MistralForCausalLM and
 * Qwen2ForCausalLM onto the Llama-family decoder ({@link HfLayout} maps the tensors). Weights are read in their stored
 * dtype and held as float32; export writes the dtype asked for.
 */
public final class HfModels {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String GENERATION_CONFIG = "generation_config.json";
    public static final String PEFT_CONFIG = "adapter_config.json";
    public static final String PEFT_WEIGHTS = "adapter_model.safetensors";

    private HfModels() {
    }

    /** The model core's shape for a checked config. A sliding window bounds the context (so it never cuts attention). */
    public static ModelConfig modelConfig(HfConfig c) {
        if (c.family() == HfConfig.Family.GPT2) {
            return new ModelConfig(c.layers(), c.hidden(), c.heads(), c.maxPositions(), c.vocabSize(), c.intermediate(),
                    c.activation().equals("gelu") ? ModelConfig.GELU : ModelConfig.GELU_TANH, c.normEps());
        }
        return new ModelConfig(c.layers(), c.hidden(), c.heads(), c.usableContext(), c.vocabSize(), c.intermediate(),
                ModelConfig.SILU, c.normEps(), c.architecture(), c.kvHeads(), c.ropeTheta(), c.tieWordEmbeddings(), c.attentionBias(),
                c.maxPositions());
    }

    /**
     * Reads a model directory (config.json, safetensors, tokenizer.json, tokenizer_config.json) into a policy.
     * Prompts follow the model's chat_template when tokenizer_config.json has one, else {@code promptTemplate}.
     */
    public static Policy load(Path dir, String promptTemplate) throws IOException {
        HfConfig c = HfConfig.read(dir.resolve("config.json"));
        ModelWeights weights = ModelWeights.open(dir);
        Map<String, String> stored = HfTensors.check(c, weights);
        ModelConfig config = modelConfig(c);
        HuggingFaceTokenizer tokenizer = tokenizer(dir, c);
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException(dir.resolve(HuggingFaceTokenizer.FILE) + ": " + tokenizer.vocabSize()
                    + " tokens, more than config.json's vocab_size " + config.vocabSize());
        }
        String chatTemplate = chatTemplate(dir);
        PromptFormat format = chatTemplate == null ? new PromptFormat(promptTemplate, tokenizer)
                : PromptFormat.chat(new JinjaChatTemplate(chatTemplate, tokenizer.bosToken(), tokenizer.eosToken()), tokenizer);
        NDManager manager = Policy.newManager();
        try {
            DecoderModel model = DecoderModel.of(config);
            model.initialize(manager);
            Map<String, HfLayout.Source> sources = HfLayout.sources(config);
            for (Pair<String, Parameter> p : model.getParameters()) {
                HfLayout.Source source = sources.get(HfLayout.ourName(p.getKey()));
                if (source == null) {
                    throw new IllegalStateException("no " + c.architecture() + " tensor for parameter " + p.getKey());
                }
                FloatBuffer values = FloatBuffer.allocate(Math.toIntExact(p.getValue().getArray().size()));
                for (String hfName : source.hfNames()) {
                    long[] shape = weights.entry(stored.get(hfName)).shape();
                    float[] read = weights.floats(stored.get(hfName));
                    values.put(source.conv1d() ? transpose(read, (int) shape[0], (int) shape[1]) : read);
                }
                p.getValue().getArray().set(values.flip());
                p.getValue().getArray().setRequiresGradient(true);
            }
            return Policy.of(manager, model, format);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A parameter's values as float32, read through the policy's store (which widens a 16-bit frozen base). */
    private static float[] floats(Policy policy, Parameter parameter) {
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            scope.suppressNotUsedWarning();
            return policy.parameterStore().getValue(parameter, parameter.getArray().getDevice(), false).toFloatArray();
        }
    }

    /** Writes the policy as a model directory that Hugging Face transformers loads as it is. */
    public static void save(Policy policy, Path dir, TensorType dtype) throws IOException {
        Files.createDirectories(dir);
        ModelConfig m = policy.config();
        Map<String, Object> config = HfConfigJson.of(m, policy.format().tokenizer(), dtype);
        // the written config, read back as any import reads it, gives every tensor's shape
        Map<String, long[]> shapes = HfTensors.expected(HfConfig.parse(dir.resolve("config.json").toString(), JSON.writeValueAsString(config)));
        Map<String, HfLayout.Source> sources = HfLayout.sources(m);
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : policy.model().getParameters()) {
            HfLayout.Source source = sources.get(HfLayout.ourName(p.getKey()));
            float[] values = floats(policy, p.getValue());
            int offset = 0;
            for (String hfName : source.hfNames()) {
                long[] shape = shapes.get(hfName);
                int size = Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b));
                float[] part = java.util.Arrays.copyOfRange(values, offset, offset + size);
                if (policy.lora() != null) {
                    part = policy.lora().merged(hfName, part); // the merged model: W + (alpha / r) B A
                }
                offset += size;
                tensors.put(hfName, new SafeTensors.Tensor(source.conv1d() ? transpose(part, (int) shape[1], (int) shape[0]) : part, shape, dtype));
            }
        }
        SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        if (policy.format().tokenizer() instanceof io.spin.data.text.ByteTokenizer) {
            // SPIN's own byte-level models: the same tokenizer, written the way transformers reads tokenizers
            JSON.writeValue(dir.resolve(HuggingFaceTokenizer.FILE).toFile(), ByteTokenizerJson.tokenizer());
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), Map.of("bos_token", ByteTokenizerJson.BOS,
                    "eos_token", ByteTokenizerJson.EOS, "pad_token", ByteTokenizerJson.PAD));
        }
        JSON.writeValue(dir.resolve(GENERATION_CONFIG).toFile(), HfConfigJson.generation(policy.format()));
        if (policy.format().tokenizer() instanceof HuggingFaceTokenizer hf) {
            Files.write(dir.resolve(HuggingFaceTokenizer.FILE), hf.json());
            // the fields it was given (model_max_length, added_tokens_decoder, clean_up_tokenization_spaces...), then ours
            Map<String, Object> tokenizerConfig = new LinkedHashMap<>(hf.givenConfig());
            tokenizerConfig.put("bos_token", hf.bosToken());
            tokenizerConfig.put("eos_token", hf.eosToken());
            tokenizerConfig.put("pad_token", hf.describe().get("pad"));
            if (policy.format().chat() != null) {
                tokenizerConfig.put("chat_template", policy.format().chat().source());
            } else {
                tokenizerConfig.remove("chat_template");
            }
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tokenizerConfig);
        }
    }

    /**
     * The tokenizer as the directory describes it: tokenizer_config.json's special tokens (no BOS when it names none:
     * Qwen2's), and every eos_token_id of config.json and generation_config.json as a stop id (Llama 3 Instruct ends
     * turns with {@code <|eot_id|>} beside its EOS).
     */
    @SuppressWarnings("unchecked")
    /**
     * Writes the policy's LoRA adapters as PEFT saves them: adapter_config.json and adapter_model.safetensors, which
     * {@code PeftModel.from_pretrained(base, dir)} loads onto the base model.
     */
    public static void savePeft(Policy policy, Path dir, String baseModel, TensorType dtype) throws IOException {
        Lora lora = policy.lora();
        if (lora == null) {
            throw new IllegalArgumentException("the model has no LoRA adapters to write in PEFT's format; export it with --format hf");
        }
        Files.createDirectories(dir);
        SafeTensors.write(dir.resolve(PEFT_WEIGHTS), lora.tensors(dtype), Map.of("format", "pt"));
        JSON.writeValue(dir.resolve(PEFT_CONFIG).toFile(), lora.adapterConfig(baseModel));
    }

    /** Reads a PEFT adapter directory (LoRA, no bias, no rsLoRA or DoRA) onto the policy; refuses what it cannot honour by name. */
    public static void loadPeft(Policy policy, Path dir) throws IOException {
        policy.attach(readPeft(dir, policy));
    }

    /** A PEFT adapter directory's adapters for this policy's model, on its manager (not yet attached). */
    public static Lora readPeft(Path dir, Policy policy) throws IOException {
        JsonNode c = JSON.readTree(dir.resolve(PEFT_CONFIG).toFile());
        String where = dir.resolve(PEFT_CONFIG).toString();
        if (!"LORA".equals(c.path("peft_type").asText())) {
            throw new IllegalArgumentException(where + ": 'peft_type' is " + c.path("peft_type") + "; SPIN reads LORA adapters");
        }
        for (String off : java.util.List.of("use_rslora", "use_dora", "fan_in_fan_out")) {
            if (c.path(off).asBoolean(false)) {
                throw new IllegalArgumentException(where + ": '" + off + "' is true; SPIN implements plain LoRA");
            }
        }
        if (!c.path("bias").asText("none").equals("none")) {
            throw new IllegalArgumentException(where + ": 'bias' is " + c.path("bias") + "; SPIN implements LoRA without biases");
        }
        java.util.List<String> targets = new java.util.ArrayList<>();
        c.path("target_modules").forEach(t -> targets.add(t.asText()));
        LoraConfig config = new LoraConfig(c.path("r").asInt(), c.path("lora_alpha").asDouble(), targets);
        SafeTensors weights = SafeTensors.open(dir.resolve(PEFT_WEIGHTS));
        Map<String, float[]> values = new LinkedHashMap<>();
        for (String name : weights.entries().keySet()) {
            values.put(name, weights.floats(name));
        }
        Lora lora = Lora.of(policy.config(), config, policy.manager(), values);
        for (String name : values.keySet()) {
            if (lora.parameters().indexOf(name) < 0) {
                lora.close();
                throw new IllegalArgumentException(dir.resolve(PEFT_WEIGHTS) + ": tensor " + name + " is not an adapter of " + config.targets()
                        + " on this " + policy.config().architecture());
            }
        }
        return lora;
    }

    private static HuggingFaceTokenizer tokenizer(Path dir, HfConfig c) throws IOException {
        JsonNode config = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        String eos = token(config, "eos_token", dir);
        String bos = config.hasNonNull("bos_token") ? token(config, "bos_token", dir) : null;
        String pad = config.hasNonNull("pad_token") ? token(config, "pad_token", dir) : eos;
        java.util.Set<Integer> stops = new java.util.TreeSet<>(c.eosTokenIds());
        Path generation = dir.resolve(GENERATION_CONFIG);
        if (Files.exists(generation)) {
            JsonNode ids = JSON.readTree(generation.toFile()).path("eos_token_id");
            if (ids.isArray()) {
                ids.forEach(id -> stops.add(id.asInt()));
            } else if (ids.canConvertToInt()) {
                stops.add(ids.asInt());
            }
        }
        Map<String, Object> given = JSON.convertValue(config, Map.class);
        return HuggingFaceTokenizer.load(dir.resolve(HuggingFaceTokenizer.FILE), bos, eos, pad, new HuggingFaceTokenizer.Settings(stops, given));
    }

    /**
     * tokenizer_config.json's chat_template: a string, or a list of named templates of which "default" is the one; null
     * when it has none.
     */
    public static String chatTemplate(Path dir) throws IOException {
        JsonNode template = JSON.readTree(dir.resolve("tokenizer_config.json").toFile()).get("chat_template");
        if (template == null || template.isNull()) {
            return null;
        }
        if (template.isArray()) {
            for (JsonNode named : template) {
                if ("default".equals(named.path("name").asText())) {
                    return named.path("template").asText();
                }
            }
            throw new IllegalArgumentException(dir.resolve("tokenizer_config.json") + ": 'chat_template' lists no template named default");
        }
        return template.asText();
    }

    /** A special token as tokenizer_config.json gives it: a string, or an object with its "content". */
    private static String token(JsonNode config, String key, Path dir) {
        JsonNode n = config.get(key);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException(dir.resolve("tokenizer_config.json") + ": '" + key + "' is missing");
        }
        return n.isObject() ? n.path("content").asText() : n.asText();
    }

    static float[] transpose(float[] values, int rows, int cols) {
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = values[r * cols + c];
            }
        }
        return out;
    }
}
