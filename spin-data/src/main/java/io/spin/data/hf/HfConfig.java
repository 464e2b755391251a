package io.spin.data.hf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Hugging Face causal LM's {@code config.json}, read for the families SPIN runs, with everything they may say that
 * changes the maths. What SPIN does not implement is refused naming the key (a {@code rope_scaling}, an activation,
 * grouped heads that do not divide), never silently ignored.
 *
 * @param headDim        width of one attention head (hidden / heads unless the config says otherwise and they agree)
 * @param ropeTheta      base of the rotary embedding; NaN for GPT-2, whose positions are learned
 * @param slidingWindow  attention window of Mistral/Qwen2, or 0 when attention sees the whole context
 */
public record HfConfig(Family family, String architecture, int vocabSize, int hidden, int intermediate, int layers, int heads,
                       int kvHeads, int headDim, int maxPositions, double normEps, double ropeTheta, String activation,
                       boolean tieWordEmbeddings, boolean attentionBias, TensorType dtype, Integer bosTokenId,
                       List<Integer> eosTokenIds, int slidingWindow) {

    /** The decoder families: LLAMA covers Llama, Mistral and Qwen2 (RMSNorm, rotary positions, gated SiLU MLP). */
    public enum Family { LLAMA, GPT2 }

    public static final Set<String> ARCHITECTURES = Set.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "GPT2LMHeadModel");

    public static HfConfig read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not JSON: " + e.getMessage(), e);
        }
        return parse(file.toString(), root);
    }

    /** Reads config.json text; {@code where} names it in refusals. */
    public static HfConfig parse(String where, String json) {
        try {
            return parse(where, new ObjectMapper().readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": not JSON: " + e.getMessage(), e);
        }
    }

    static HfConfig parse(String where, JsonNode c) {
        JsonNode architectures = c.path("architectures");
        String architecture = architectures.isArray() && architectures.size() == 1 ? architectures.get(0).asText() : null;
        if (architecture == null || !ARCHITECTURES.contains(architecture)) {
            throw refuse(where, "architectures", "is " + architectures + "; SPIN runs one of " + new java.util.TreeSet<>(ARCHITECTURES));
        }
        TensorType dtype = dtype(where, c);
        if (architecture.equals("GPT2LMHeadModel")) {
            int hidden = positive(where, c, "n_embd");
            int heads = positive(where, c, "n_head");
            String activation = c.path("activation_function").asText("gelu_new");
            if (!Set.of("gelu_new", "gelu_pytorch_tanh", "gelu").contains(activation)) {
                throw refuse(where, "activation_function", "is '" + activation + "'; SPIN implements gelu_new, gelu_pytorch_tanh and gelu");
            }
            int inner = c.hasNonNull("n_inner") ? positive(where, c, "n_inner") : 4 * hidden;
            // attention variants GPT2Attention implements beside the plain one: refused unless at their defaults
            for (String flag : List.of("scale_attn_weights", "scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn")) {
                boolean standard = flag.equals("scale_attn_weights");
                if (c.has(flag) && c.get(flag).isBoolean() && c.get(flag).asBoolean() != standard) {
                    throw refuse(where, flag, "is " + c.get(flag) + "; SPIN implements GPT-2's attention with " + flag + " " + standard);
                }
            }
            return new HfConfig(Family.GPT2, architecture, positive(where, c, "vocab_size"), hidden, inner, positive(where, c, "n_layer"),
                    heads, heads, divided(where, hidden, heads, "n_head"), positive(where, c, "n_positions"),
                    c.path("layer_norm_epsilon").asDouble(1e-5), Double.NaN, activation, true, true, dtype,
                    optionalInt(c, "bos_token_id"), eos(c), 0);
        }
        int hidden = positive(where, c, "hidden_size");
        int heads = positive(where, c, "num_attention_heads");
        int kvHeads = c.hasNonNull("num_key_value_heads") ? positive(where, c, "num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw refuse(where, "num_key_value_heads", "is " + kvHeads + ", which does not divide num_attention_heads " + heads);
        }
        int headDim = divided(where, hidden, heads, "num_attention_heads");
        if (c.hasNonNull("head_dim") && c.path("head_dim").asInt() != headDim) {
            throw refuse(where, "head_dim", "is " + c.path("head_dim").asInt() + "; SPIN needs hidden_size / num_attention_heads = " + headDim);
        }
        double ropeTheta = ropeTheta(where, c);
        String activation = c.path("hidden_act").asText("silu");
        if (!activation.equals("silu")) {
            throw refuse(where, "hidden_act", "is '" + activation + "'; SPIN implements silu for " + architecture);
        }
        if (c.path("mlp_bias").asBoolean(false)) {
            throw refuse(where, "mlp_bias", "is true; SPIN implements MLPs without biases");
        }
        boolean qwen = architecture.equals("Qwen2ForCausalLM");
        // Qwen2 always has q/k/v biases (its config has no key for it); Llama says so with attention_bias
        boolean attentionBias = qwen || c.path("attention_bias").asBoolean(false);
        int slidingWindow = 0;
        if (architecture.equals("MistralForCausalLM") || (qwen && c.path("use_sliding_window").asBoolean(false))) {
            slidingWindow = c.hasNonNull("sliding_window") ? positive(where, c, "sliding_window") : 0;
        }
        return new HfConfig(Family.LLAMA, architecture, positive(where, c, "vocab_size"), hidden, positive(where, c, "intermediate_size"),
                positive(where, c, "num_hidden_layers"), heads, kvHeads, headDim, positive(where, c, "max_position_embeddings"),
                c.path("rms_norm_eps").asDouble(1e-6), ropeTheta, activation,
                c.path("tie_word_embeddings").asBoolean(false), attentionBias, dtype, optionalInt(c, "bos_token_id"), eos(c), slidingWindow);
    }

    /**
     * The rotary base: transformers 5 writes it inside {@code rope_parameters} (with its {@code rope_type}), older
     * configs as {@code rope_theta} (and scaling in {@code rope_scaling}). Any rope_type but "default" is refused by name.
     */
    private static double ropeTheta(String where, JsonNode c) {
        for (String key : List.of("rope_parameters", "rope_scaling")) {
            JsonNode p = c.get(key);
            if (p == null || p.isNull()) {
                continue;
            }
            if (!p.isObject()) {
                throw refuse(where, key, "is " + p + "; an object is needed");
            }
            String type = p.path("rope_type").asText(p.path("type").asText("default"));
            if (!type.equals("default")) {
                throw refuse(where, key, "has rope_type '" + type + "'; SPIN implements the default rotary embedding only");
            }
            if (p.has("rope_theta")) {
                if (!p.get("rope_theta").isNumber() || p.get("rope_theta").asDouble() <= 0) {
                    throw refuse(where, key + ".rope_theta", "is " + p.get("rope_theta") + "; a positive number is needed");
                }
                return p.get("rope_theta").asDouble();
            }
        }
        return c.path("rope_theta").asDouble(10000.0);
    }

    /** Most tokens one sequence may hold so that every token attends to all before it (the window never cuts). */
    public int usableContext() {
        return slidingWindow > 0 ? Math.min(maxPositions, slidingWindow) : maxPositions;
    }

    private static TensorType dtype(String where, JsonNode c) {
        String name = c.path("torch_dtype").asText(c.path("dtype").asText("float32")).toLowerCase(Locale.ROOT);
        TensorType type = TensorType.ofTorchName(name);
        if (type == null) {
            throw refuse(where, "torch_dtype", "is '" + name + "'; SPIN reads float32, float16 and bfloat16");
        }
        return type;
    }

    private static int positive(String where, JsonNode c, String key) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            throw refuse(where, key, "is missing");
        }
        if (!n.canConvertToInt() || n.asInt() <= 0) {
            throw refuse(where, key, "is " + n + "; a positive whole number is needed");
        }
        return n.asInt();
    }

    private static int divided(String where, int hidden, int heads, String key) {
        if (hidden % heads != 0) {
            throw refuse(where, key, "is " + heads + ", which does not divide the width " + hidden);
        }
        return hidden / heads;
    }

    private static Integer optionalInt(JsonNode c, String key) {
        return c.hasNonNull(key) && c.get(key).canConvertToInt() ? c.get(key).asInt() : null;
    }

    private static List<Integer> eos(JsonNode c) {
        JsonNode n = c.path("eos_token_id");
        List<Integer> ids = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(x -> ids.add(x.asInt()));
        } else if (n.canConvertToInt()) {
            ids.add(n.asInt());
        }
        return List.copyOf(ids);
    }

    private static IllegalArgumentException refuse(String where, String key, String what) {
        return new IllegalArgumentException(where + ": '" + key + "' " + what);
    }
}
