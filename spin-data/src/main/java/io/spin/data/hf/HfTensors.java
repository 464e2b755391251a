package io.spin.data.hf;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors a model of a given config must have in Hugging Face's naming, with their shapes, and the check of a
 * model's weights against them: a missing tensor, a shape the config does not give, or a tensor the family does not
 * have is refused naming the tensor. GPT-2 checkpoints differ in a "transformer." prefix and carry attention-mask
 * buffers; both are accepted.
 */
public final class HfTensors {
    private HfTensors() {
    }

    /** Tensor name -> shape, as the config implies (linear weights are (out, in); GPT-2's Conv1D weights are (in, out)). */
    public static Map<String, long[]> expected(HfConfig c) {
        Map<String, long[]> t = new LinkedHashMap<>();
        long h = c.hidden();
        long i = c.intermediate();
        if (c.family() == HfConfig.Family.GPT2) {
            t.put("wte.weight", new long[] {c.vocabSize(), h});
            t.put("wpe.weight", new long[] {c.maxPositions(), h});
            for (int l = 0; l < c.layers(); l++) {
                String p = "h." + l + ".";
                t.put(p + "ln_1.weight", new long[] {h});
                t.put(p + "ln_1.bias", new long[] {h});
                t.put(p + "attn.c_attn.weight", new long[] {h, 3 * h});
                t.put(p + "attn.c_attn.bias", new long[] {3 * h});
                t.put(p + "attn.c_proj.weight", new long[] {h, h});
                t.put(p + "attn.c_proj.bias", new long[] {h});
                t.put(p + "ln_2.weight", new long[] {h});
                t.put(p + "ln_2.bias", new long[] {h});
                t.put(p + "mlp.c_fc.weight", new long[] {h, i});
                t.put(p + "mlp.c_fc.bias", new long[] {i});
                t.put(p + "mlp.c_proj.weight", new long[] {i, h});
                t.put(p + "mlp.c_proj.bias", new long[] {h});
            }
            t.put("ln_f.weight", new long[] {h});
            t.put("ln_f.bias", new long[] {h});
            return t;
        }
        long kv = (long) c.kvHeads() * c.headDim();
        t.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            t.put(p + "input_layernorm.weight", new long[] {h});
            t.put(p + "self_attn.q_proj.weight", new long[] {h, h});
            t.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
            t.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
            t.put(p + "self_attn.o_proj.weight", new long[] {h, h});
            if (c.attentionBias()) {
                t.put(p + "self_attn.q_proj.bias", new long[] {h});
                t.put(p + "self_attn.k_proj.bias", new long[] {kv});
                t.put(p + "self_attn.v_proj.bias", new long[] {kv});
                if (!c.architecture().equals("Qwen2ForCausalLM")) {
                    t.put(p + "self_attn.o_proj.bias", new long[] {h}); // Llama's attention_bias covers o_proj too
                }
            }
            t.put(p + "post_attention_layernorm.weight", new long[] {h});
            t.put(p + "mlp.gate_proj.weight", new long[] {i, h});
            t.put(p + "mlp.up_proj.weight", new long[] {i, h});
            t.put(p + "mlp.down_proj.weight", new long[] {h, i});
        }
        t.put("model.norm.weight", new long[] {h});
        if (!c.tieWordEmbeddings()) {
            t.put("lm_head.weight", new long[] {c.vocabSize(), h});
        }
        return t;
    }

    /**
     * Checks the weights against the config; returns each expected tensor's name in the files (GPT-2's may carry the
     * "transformer." prefix).
     */
    public static Map<String, String> check(HfConfig c, ModelWeights weights) {
        Map<String, long[]> expected = expected(c);
        Map<String, String> stored = new LinkedHashMap<>();
        for (String name : weights.names()) {
            String canonical = c.family() == HfConfig.Family.GPT2 && name.startsWith("transformer.") ? name.substring(12) : name;
            if (expected.containsKey(canonical)) {
                stored.put(canonical, name);
            } else if (!ignorable(c, canonical)) {
                throw new IllegalArgumentException("tensor " + name + " is not part of a " + c.architecture() + " with this config");
            }
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String name = stored.get(e.getKey());
            if (name == null) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " is missing from the model's weights");
            }
            long[] shape = weights.entry(name).shape();
            if (!Arrays.equals(shape, e.getValue())) {
                throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(shape) + "; the config gives "
                        + Arrays.toString(e.getValue()));
            }
        }
        return stored;
    }

    /** Buffers some checkpoints carry that are not weights, and an output layer saved although tied. */
    private static boolean ignorable(HfConfig c, String name) {
        if (c.family() == HfConfig.Family.GPT2) {
            return name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias") || name.equals("lm_head.weight");
        }
        return name.endsWith(".rotary_emb.inv_freq") || (c.tieWordEmbeddings() && name.equals("lm_head.weight"));
    }
}
