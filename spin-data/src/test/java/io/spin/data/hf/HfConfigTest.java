package io.spin.data.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

class HfConfigTest {
    @TempDir
    Path dir;

    private static final String LLAMA = "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64,\"intermediate_size\":172,"
            + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":100,"
            + "\"max_position_embeddings\":128,\"rms_norm_eps\":1e-5,\"rope_theta\":500000.0,\"hidden_act\":\"silu\","
            + "\"tie_word_embeddings\":false,\"torch_dtype\":\"bfloat16\",\"bos_token_id\":1,\"eos_token_id\":[2,7]}";

    private static HfConfig parse(String json) throws Exception {
        return HfConfig.parse("config.json", new ObjectMapper().readTree(json));
    }

    private static String refusal(String json) {
        return assertThrows(IllegalArgumentException.class, () -> parse(json)).getMessage();
    }

    @Test
    void aLlamaConfigIsReadWithEverythingThatChangesTheMaths() throws Exception {
        HfConfig c = parse(LLAMA);
        assertEquals(HfConfig.Family.LLAMA, c.family());
        assertEquals(64, c.hidden());
        assertEquals(2, c.kvHeads());
        assertEquals(16, c.headDim());
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(1e-5, c.normEps());
        assertEquals(TensorType.BF16, c.dtype());
        assertEquals(List.of(2, 7), c.eosTokenIds());
        assertFalse(c.attentionBias());
        Map<String, long[]> t = HfTensors.expected(c);
        assertEquals(1 + 2 * 9 + 1 + 1, t.size(), "embeddings, 9 per layer, final norm, untied output layer");
        assertArrayEquals(new long[] {32, 64}, t.get("model.layers.1.self_attn.k_proj.weight"), "2 kv heads x 16");
        assertArrayEquals(new long[] {64, 172}, t.get("model.layers.0.mlp.down_proj.weight"));
    }

    @Test
    void qwen2HasQkvBiasesAndMistralItsWindow() throws Exception {
        HfConfig qwen = parse(LLAMA.replace("LlamaForCausalLM", "Qwen2ForCausalLM").replace("\"tie_word_embeddings\":false", "\"tie_word_embeddings\":true"));
        Map<String, long[]> t = HfTensors.expected(qwen);
        assertArrayEquals(new long[] {32}, t.get("model.layers.0.self_attn.v_proj.bias"));
        assertFalse(t.containsKey("model.layers.0.self_attn.o_proj.bias"));
        assertFalse(t.containsKey("lm_head.weight"), "tied to the embeddings");
        HfConfig mistral = parse(LLAMA.replace("LlamaForCausalLM", "MistralForCausalLM").replace("\"max_position_embeddings\":128",
                "\"max_position_embeddings\":32768,\"sliding_window\":4096"));
        assertEquals(4096, mistral.usableContext());
    }

    @Test
    void transformers5KeepsTheRotaryBaseInRopeParameters() throws Exception {
        String v5 = LLAMA.replace("\"rope_theta\":500000.0", "\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":1000000.0}");
        assertEquals(1000000.0, parse(v5).ropeTheta(), "not the silent default of 10000");
        assertEquals(500000.0, parse(LLAMA.replace("\"rope_theta\"", "\"rope_scaling\":{\"type\":\"default\"},\"rope_theta\"")).ropeTheta());
        assertEquals(10000.0, parse(LLAMA.replace("\"rope_theta\":500000.0,", "")).ropeTheta());
    }

    @Test
    void aGpt2ConfigIsRead() throws Exception {
        HfConfig c = parse("{\"architectures\":[\"GPT2LMHeadModel\"],\"n_embd\":48,\"n_layer\":2,\"n_head\":3,\"n_positions\":64,"
                + "\"vocab_size\":300,\"n_inner\":null,\"activation_function\":\"gelu_new\",\"layer_norm_epsilon\":1e-5,"
                + "\"scale_attn_weights\":true,\"scale_attn_by_inverse_layer_idx\":false,\"reorder_and_upcast_attn\":false}");
        assertEquals(HfConfig.Family.GPT2, c.family());
        assertEquals(192, c.intermediate(), "n_inner null: 4 x n_embd");
        assertEquals(TensorType.F32, c.dtype());
        assertArrayEquals(new long[] {48, 144}, HfTensors.expected(c).get("h.1.attn.c_attn.weight"), "Conv1D: (in, out)");
    }

    @Test
    void whatSpinDoesNotImplementIsRefusedNamingTheKey() {
        assertEquals("config.json: 'rope_scaling' has rope_type 'llama3'; SPIN implements the default rotary embedding only",
                refusal(LLAMA.replace("\"rope_theta\"", "\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0},\"rope_theta\"")));
        assertEquals("config.json: 'rope_parameters' has rope_type 'yarn'; SPIN implements the default rotary embedding only",
                refusal(LLAMA.replace("\"rope_theta\":500000.0", "\"rope_parameters\":{\"rope_type\":\"yarn\",\"rope_theta\":1e6,\"factor\":4.0}")));
        String gpt2 = "{\"architectures\":[\"GPT2LMHeadModel\"],\"n_embd\":8,\"n_layer\":1,\"n_head\":2,\"n_positions\":16,\"vocab_size\":20";
        assertEquals("config.json: 'scale_attn_by_inverse_layer_idx' is true; SPIN implements GPT-2's attention with scale_attn_by_inverse_layer_idx false",
                refusal(gpt2 + ",\"scale_attn_by_inverse_layer_idx\":true}"));
        assertEquals("config.json: 'scale_attn_weights' is false; SPIN implements GPT-2's attention with scale_attn_weights true",
                refusal(gpt2 + ",\"scale_attn_weights\":false}"));
        assertTrue(refusal(gpt2 + ",\"reorder_and_upcast_attn\":true}").startsWith("config.json: 'reorder_and_upcast_attn' is true"));
        assertTrue(refusal(LLAMA.replace("LlamaForCausalLM", "FalconForCausalLM")).startsWith("config.json: 'architectures' is [\"FalconForCausalLM\"]"));
        assertTrue(refusal(LLAMA.replace("\"silu\"", "\"gelu\"")).startsWith("config.json: 'hidden_act' is 'gelu'"));
        assertTrue(refusal(LLAMA.replace("\"num_key_value_heads\":2", "\"num_key_value_heads\":3"))
                .startsWith("config.json: 'num_key_value_heads' is 3, which does not divide num_attention_heads 4"));
        assertEquals("config.json: 'hidden_size' is missing", refusal(LLAMA.replace("\"hidden_size\":64,", "")));
        assertTrue(refusal(LLAMA.replace("bfloat16", "float64")).startsWith("config.json: 'torch_dtype' is 'float64'"));
        assertTrue(refusal(LLAMA.replace("\"rope_theta\"", "\"head_dim\":32,\"rope_theta\"")).startsWith("config.json: 'head_dim' is 32"));
    }

    @Test
    void weightsAreCheckedAgainstTheConfigNamingTheTensor() throws Exception {
        HfConfig c = parse(LLAMA);
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        HfTensors.expected(c).forEach((name, shape) -> tensors.put(name, zeros(shape)));
        write(tensors);
        assertEquals(HfTensors.expected(c).keySet(), HfTensors.check(c, ModelWeights.open(dir)).keySet());

        tensors.remove("model.layers.1.mlp.up_proj.weight");
        write(tensors);
        assertEquals("tensor model.layers.1.mlp.up_proj.weight is missing from the model's weights", checkFails(c));
        tensors.put("model.layers.1.mlp.up_proj.weight", zeros(new long[] {172, 32}));
        write(tensors);
        assertEquals("tensor model.layers.1.mlp.up_proj.weight has shape [172, 32]; the config gives [172, 64]", checkFails(c));
        tensors.put("model.layers.1.mlp.up_proj.weight", zeros(new long[] {172, 64}));
        tensors.put("model.layers.0.mlp.extra.weight", zeros(new long[] {1}));
        write(tensors);
        assertEquals("tensor model.layers.0.mlp.extra.weight is not part of a LlamaForCausalLM with this config", checkFails(c));
    }

    @Test
    void gpt2WeightsMayCarryAPrefixAndMaskBuffers() throws Exception {
        HfConfig c = parse("{\"architectures\":[\"GPT2LMHeadModel\"],\"n_embd\":8,\"n_layer\":1,\"n_head\":2,\"n_positions\":16,\"vocab_size\":20}");
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        HfTensors.expected(c).forEach((name, shape) -> tensors.put("transformer." + name, zeros(shape)));
        tensors.put("transformer.h.0.attn.bias", zeros(new long[] {1, 1, 16, 16}));
        write(tensors);
        Map<String, String> stored = HfTensors.check(c, ModelWeights.open(dir));
        assertEquals("transformer.wte.weight", stored.get("wte.weight"));
    }

    private String checkFails(HfConfig c) {
        return assertThrows(IllegalArgumentException.class, () -> HfTensors.check(c, ModelWeights.open(dir))).getMessage();
    }

    private void write(Map<String, SafeTensors.Tensor> tensors) {
        SafeTensors.write(dir.resolve(ModelWeights.SINGLE), tensors, Map.of());
    }

    private static SafeTensors.Tensor zeros(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return new SafeTensors.Tensor(new float[(int) n], shape, TensorType.BF16);
    }
}
