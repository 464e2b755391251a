package io.spin.core.hf;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.spin.data.hf.HfConfig;
import io.spin.data.hf.TensorType;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.PromptFormat;
import io.spin.data.text.Tokenizer;

/** The config.json an exported model carries, in the keys transformers' config class of its architecture reads. */
final class HfConfigJson {
    private HfConfigJson() {
    }

    static Map<String, Object> of(ModelConfig m, Tokenizer tokenizer, TensorType dtype) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of(m.architecture()));
        if (m.family() == HfConfig.Family.GPT2) {
            c.put("model_type", "gpt2");
            c.put("vocab_size", m.vocabSize());
            c.put("n_positions", m.contextLength());
            c.put("n_embd", m.width());
            c.put("n_layer", m.layers());
            c.put("n_head", m.heads());
            c.put("n_inner", m.mlpWidth());
            c.put("activation_function", m.activation().equals(ModelConfig.GELU) ? "gelu" : "gelu_new");
            c.put("layer_norm_epsilon", m.normEps());
        } else {
            c.put("model_type", switch (m.architecture()) {
                case "MistralForCausalLM" -> "mistral";
                case "Qwen2ForCausalLM" -> "qwen2";
                default -> "llama";
            });
            c.put("vocab_size", m.vocabSize());
            c.put("hidden_size", m.width());
            c.put("intermediate_size", m.mlpWidth());
            c.put("num_hidden_layers", m.layers());
            c.put("num_attention_heads", m.heads());
            c.put("num_key_value_heads", m.kvHeads());
            c.put("max_position_embeddings", m.maxPositions());
            c.put("rms_norm_eps", m.normEps());
            c.put("rope_theta", m.ropeTheta());
            c.put("hidden_act", "silu");
            if (m.architecture().equals(ModelConfig.LLAMA)) {
                c.put("attention_bias", m.attentionBias());
                c.put("mlp_bias", false);
            }
            if (!m.architecture().equals(ModelConfig.LLAMA)) {
                // the window bounded the context on import: a window below the model's positions is written back as such
                boolean windowed = m.contextLength() < m.maxPositions();
                c.put("sliding_window", m.contextLength());
                c.put("use_sliding_window", windowed);
            }
        }
        c.put("tie_word_embeddings", m.tiedEmbeddings());
        c.put("bos_token_id", tokenizer.bos() >= 0 ? tokenizer.bos() : null);
        c.put("eos_token_id", eosIds(tokenizer.stopIds(), tokenizer.eos()));
        c.put("torch_dtype", dtype.torchName());
        return c;
    }

    /** generation_config.json: what transformers' generate() stops on and pads with, so it ends turns as SPIN samples them. */
    static Map<String, Object> generation(PromptFormat format) {
        Tokenizer tokenizer = format.tokenizer();
        Map<String, Object> g = new LinkedHashMap<>();
        if (tokenizer.bos() >= 0) {
            g.put("bos_token_id", tokenizer.bos());
        }
        g.put("eos_token_id", eosIds(format.stopIds(), tokenizer.eos()));
        g.put("pad_token_id", tokenizer.pad());
        return g;
    }

    /** One id as a number (as transformers writes a single EOS), several as a list with the EOS first. */
    private static Object eosIds(java.util.Set<Integer> stops, int eos) {
        if (stops.size() <= 1) {
            return eos;
        }
        List<Integer> ids = new java.util.ArrayList<>();
        ids.add(eos);
        stops.stream().filter(id -> id != eos).forEach(ids::add);
        return ids;
    }
}
