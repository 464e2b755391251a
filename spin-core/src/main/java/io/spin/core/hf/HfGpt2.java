package io.spin.core.hf;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.spin.core.model.GptModel;
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
 * GPT-2 models in Hugging Face layout, in and out. SPIN's decoder is GPT-2's (learned positions, pre-norm layers, one
 * q|k|v projection, tied output layer), so a GPT2LMHeadModel maps onto it tensor for tensor; Hugging Face stores
 * GPT-2's projections as Conv1D, (in, out), which DJL's Linear holds as (out, in), hence the transposes.
 */
public final class HfGpt2 {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfGpt2() {
    }

    /** The HF tensor behind each of our parameters (by our name, see {@link #ourName}), and whether it is (in, out). */
    private record Source(String hfName, boolean conv1d) {
    }

    private static Map<String, Source> sources(int layers) {
        Map<String, Source> m = new LinkedHashMap<>();
        m.put("tokenEmbedding", new Source("wte.weight", false));
        m.put("positionEmbedding", new Source("wpe.weight", false));
        for (int l = 0; l < layers; l++) {
            String ours = "layer" + l + ".";
            String hf = "h." + l + ".";
            m.put(ours + "attentionNorm.gamma", new Source(hf + "ln_1.weight", false));
            m.put(ours + "attentionNorm.beta", new Source(hf + "ln_1.bias", false));
            m.put(ours + "qkv.weight", new Source(hf + "attn.c_attn.weight", true));
            m.put(ours + "qkv.bias", new Source(hf + "attn.c_attn.bias", false));
            m.put(ours + "attentionOut.weight", new Source(hf + "attn.c_proj.weight", true));
            m.put(ours + "attentionOut.bias", new Source(hf + "attn.c_proj.bias", false));
            m.put(ours + "mlpNorm.gamma", new Source(hf + "ln_2.weight", false));
            m.put(ours + "mlpNorm.beta", new Source(hf + "ln_2.bias", false));
            m.put(ours + "mlpIn.weight", new Source(hf + "mlp.c_fc.weight", true));
            m.put(ours + "mlpIn.bias", new Source(hf + "mlp.c_fc.bias", false));
            m.put(ours + "mlpOut.weight", new Source(hf + "mlp.c_proj.weight", true));
            m.put(ours + "mlpOut.bias", new Source(hf + "mlp.c_proj.bias", false));
        }
        m.put("finalNorm.gamma", new Source("ln_f.weight", false));
        m.put("finalNorm.beta", new Source("ln_f.bias", false));
        return m;
    }

    /** DJL prefixes each child block's name with its index ("01layer0_02qkv_weight"); ours drops those: "layer0.qkv.weight". */
    static String ourName(String djlName) {
        StringBuilder name = new StringBuilder();
        for (String part : djlName.split("_")) {
            name.append(name.length() == 0 ? "" : ".").append(part.replaceFirst("^\\d+", ""));
        }
        return name.toString();
    }

    /**
     * Reads a GPT2LMHeadModel directory (config.json, safetensors, tokenizer.json, tokenizer_config.json) into a policy.
     * Prompts follow the model's chat_template when tokenizer_config.json has one, else {@code promptTemplate}.
     */
    public static Policy load(Path dir, String promptTemplate) throws IOException {
        HfConfig c = HfConfig.read(dir.resolve("config.json"));
        if (c.family() != HfConfig.Family.GPT2) {
            throw new IllegalArgumentException(dir.resolve("config.json") + ": " + c.architecture()
                    + " is read and checked, but SPIN's model core runs GPT2LMHeadModel only so far");
        }
        ModelWeights weights = ModelWeights.open(dir);
        Map<String, String> stored = HfTensors.check(c, weights);
        ModelConfig config = new ModelConfig(c.layers(), c.hidden(), c.heads(), c.maxPositions(), c.vocabSize(), c.intermediate(),
                c.activation().equals("gelu") ? ModelConfig.GELU : ModelConfig.GELU_TANH, c.normEps());
        HuggingFaceTokenizer tokenizer = tokenizer(dir);
        String chatTemplate = chatTemplate(dir);
        PromptFormat format = chatTemplate == null ? new PromptFormat(promptTemplate, tokenizer)
                : PromptFormat.chat(new JinjaChatTemplate(chatTemplate, tokenizer.bosToken(), tokenizer.eosToken()), tokenizer);
        NDManager manager = NDManager.newBaseManager();
        try {
            GptModel model = new GptModel(config);
            model.initialize(manager);
            Map<String, Source> sources = sources(c.layers());
            for (Pair<String, Parameter> p : model.getParameters()) {
                Source source = sources.get(ourName(p.getKey()));
                if (source == null) {
                    throw new IllegalStateException("no GPT-2 tensor for parameter " + p.getKey());
                }
                long[] shape = weights.entry(stored.get(source.hfName())).shape();
                float[] values = weights.floats(stored.get(source.hfName()));
                p.getValue().getArray().set(FloatBuffer.wrap(source.conv1d() ? transpose(values, (int) shape[0], (int) shape[1]) : values));
                p.getValue().getArray().setRequiresGradient(true);
            }
            return Policy.of(manager, model, format);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Writes the policy as a GPT2LMHeadModel directory that Hugging Face transformers loads as it is. */
    public static void save(Policy policy, Path dir, TensorType dtype) throws IOException {
        Files.createDirectories(dir);
        ModelConfig m = policy.config();
        Map<String, Source> sources = sources(m.layers());
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : policy.model().getParameters()) {
            Source source = sources.get(ourName(p.getKey()));
            long[] shape = p.getValue().getArray().getShape().getShape();
            float[] values = p.getValue().getArray().toFloatArray();
            if (source.conv1d()) {
                values = transpose(values, (int) shape[0], (int) shape[1]);
                shape = new long[] {shape[1], shape[0]};
            }
            tensors.put(source.hfName(), new SafeTensors.Tensor(values, shape, dtype));
        }
        SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("GPT2LMHeadModel"));
        config.put("model_type", "gpt2");
        config.put("vocab_size", m.vocabSize());
        config.put("n_positions", m.contextLength());
        config.put("n_embd", m.width());
        config.put("n_layer", m.layers());
        config.put("n_head", m.heads());
        config.put("n_inner", m.mlpWidth());
        config.put("activation_function", m.activation().equals(ModelConfig.GELU) ? "gelu" : "gelu_new");
        config.put("layer_norm_epsilon", m.normEps());
        config.put("tie_word_embeddings", true);
        config.put("bos_token_id", policy.format().tokenizer().bos());
        config.put("eos_token_id", policy.format().tokenizer().eos());
        config.put("torch_dtype", dtype.torchName());
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        if (policy.format().tokenizer() instanceof io.spin.data.text.ByteTokenizer) {
            // SPIN's own byte-level models: the same tokenizer, written the way transformers reads tokenizers
            JSON.writeValue(dir.resolve(HuggingFaceTokenizer.FILE).toFile(), ByteTokenizerJson.tokenizer());
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), Map.of("bos_token", ByteTokenizerJson.BOS,
                    "eos_token", ByteTokenizerJson.EOS, "pad_token", ByteTokenizerJson.PAD));
        }
        if (policy.format().tokenizer() instanceof HuggingFaceTokenizer hf) {
            Files.write(dir.resolve(HuggingFaceTokenizer.FILE), hf.json());
            Map<String, Object> described = hf.describe();
            Map<String, Object> tokenizerConfig = new LinkedHashMap<>();
            tokenizerConfig.put("bos_token", described.get("bos"));
            tokenizerConfig.put("eos_token", described.get("eos"));
            tokenizerConfig.put("pad_token", described.get("pad"));
            if (policy.format().chat() != null) {
                tokenizerConfig.put("chat_template", policy.format().chat().source());
            }
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tokenizerConfig);
        }
    }

    private static HuggingFaceTokenizer tokenizer(Path dir) throws IOException {
        JsonNode config = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        String bos = token(config, "bos_token", dir);
        String eos = token(config, "eos_token", dir);
        String pad = config.hasNonNull("pad_token") ? token(config, "pad_token", dir) : eos;
        return HuggingFaceTokenizer.load(dir.resolve(HuggingFaceTokenizer.FILE), bos, eos, pad);
    }

    /**
     * tokenizer_config.json's chat_template: a string, or a list of named templates of which "default" is the one; null
     * when it has none.
     */
    static String chatTemplate(Path dir) throws IOException {
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
