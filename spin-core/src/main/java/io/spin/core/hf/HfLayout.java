package io.spin.core.hf;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.spin.data.hf.HfConfig;
import io.spin.data.model.ModelConfig;

/**
 * Which Hugging Face tensors make each of our parameters. Most map one to one; our fused projections are Hugging
 * Face's tensors stacked by rows (Llama's q|k|v and gate|up). GPT-2 stores its projections as Conv1D, (in, out), which
 * DJL's Linear holds as (out, in): those are transposed on the way.
 */
final class HfLayout {
    private HfLayout() {
    }

    /** The HF tensors behind one of our parameters (by our name, see {@link #ourName}), stacked by rows in this order. */
    record Source(List<String> hfNames, boolean conv1d) {
        static Source of(String hfName) {
            return new Source(List.of(hfName), false);
        }
    }

    static Map<String, Source> sources(ModelConfig config) {
        return config.family() == HfConfig.Family.GPT2 ? gpt2(config.layers()) : llama(config);
    }

    /** DJL prefixes each child block's name with its index ("01layer0_02qkv_weight"); ours drops those: "layer0.qkv.weight". */
    static String ourName(String djlName) {
        StringBuilder name = new StringBuilder();
        for (String part : djlName.split("_")) {
            name.append(name.length() == 0 ? "" : ".").append(part.replaceFirst("^\\d+", ""));
        }
        return name.toString();
    }

    private static Map<String, Source> gpt2(int layers) {
        Map<String, Source> m = new LinkedHashMap<>();
        m.put("tokenEmbedding", Source.of("wte.weight"));
        m.put("positionEmbedding", Source.of("wpe.weight"));
        for (int l = 0; l < layers; l++) {
            String ours = "layer" + l + ".";
            String hf = "h." + l + ".";
            m.put(ours + "attentionNorm.gamma", Source.of(hf + "ln_1.weight"));
            m.put(ours + "attentionNorm.beta", Source.of(hf + "ln_1.bias"));
            m.put(ours + "qkv.weight", new Source(List.of(hf + "attn.c_attn.weight"), true));
            m.put(ours + "qkv.bias", Source.of(hf + "attn.c_attn.bias"));
            m.put(ours + "attentionOut.weight", new Source(List.of(hf + "attn.c_proj.weight"), true));
            m.put(ours + "attentionOut.bias", Source.of(hf + "attn.c_proj.bias"));
            m.put(ours + "mlpNorm.gamma", Source.of(hf + "ln_2.weight"));
            m.put(ours + "mlpNorm.beta", Source.of(hf + "ln_2.bias"));
            m.put(ours + "mlpIn.weight", new Source(List.of(hf + "mlp.c_fc.weight"), true));
            m.put(ours + "mlpIn.bias", Source.of(hf + "mlp.c_fc.bias"));
            m.put(ours + "mlpOut.weight", new Source(List.of(hf + "mlp.c_proj.weight"), true));
            m.put(ours + "mlpOut.bias", Source.of(hf + "mlp.c_proj.bias"));
        }
        m.put("finalNorm.gamma", Source.of("ln_f.weight"));
        m.put("finalNorm.beta", Source.of("ln_f.bias"));
        return m;
    }

    private static Map<String, Source> llama(ModelConfig config) {
        Map<String, Source> m = new LinkedHashMap<>();
        m.put("tokenEmbedding", Source.of("model.embed_tokens.weight"));
        for (int l = 0; l < config.layers(); l++) {
            String ours = "layer" + l + ".";
            String hf = "model.layers." + l + ".";
            String attn = hf + "self_attn.";
            m.put(ours + "attentionNorm.weight", Source.of(hf + "input_layernorm.weight"));
            m.put(ours + "qkv.weight", new Source(List.of(attn + "q_proj.weight", attn + "k_proj.weight", attn + "v_proj.weight"), false));
            if (config.attentionBias()) {
                m.put(ours + "qkv.bias", new Source(List.of(attn + "q_proj.bias", attn + "k_proj.bias", attn + "v_proj.bias"), false));
            }
            m.put(ours + "attentionOut.weight", Source.of(attn + "o_proj.weight"));
            if (config.outputBias()) {
                m.put(ours + "attentionOut.bias", Source.of(attn + "o_proj.bias"));
            }
            m.put(ours + "mlpNorm.weight", Source.of(hf + "post_attention_layernorm.weight"));
            m.put(ours + "gateUp.weight", new Source(List.of(hf + "mlp.gate_proj.weight", hf + "mlp.up_proj.weight"), false));
            m.put(ours + "down.weight", Source.of(hf + "mlp.down_proj.weight"));
        }
        m.put("finalNorm.weight", Source.of("model.norm.weight"));
        if (!config.tiedEmbeddings()) {
            m.put("outputLayer", Source.of("lm_head.weight"));
        }
        return m;
    }
}
