package io.spin.core.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Masks;
import io.spin.core.model.Policy;
import io.spin.data.hf.HfConfig;
import io.spin.data.hf.HfTensors;
import io.spin.data.hf.SafeTensors;
import io.spin.data.hf.TensorType;
import io.spin.data.text.PromptFormat;

/**
 * Llama, Mistral and Qwen2 models in Hugging Face layout, imported into the model core: logits equal the reference's
 * formulas within 1e-4, greedy generation with the KV cache is token-identical to the reference's, and import -> export
 * -> import is bit-identical.
 */
class LlamaModelsTest {
    static final int VOCAB = 29;

    @TempDir
    Path tmp;

    /** Grouped-query attention (4 heads, 2 key/value heads), untied output layer, rope_theta 500000: Llama 3's shape. */
    static final String LLAMA = "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"hidden_size\":32,"
            + "\"intermediate_size\":40,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
            + "\"max_position_embeddings\":64,\"rms_norm_eps\":1e-5,\"rope_theta\":500000.0,\"hidden_act\":\"silu\","
            + "\"tie_word_embeddings\":false,\"vocab_size\":" + VOCAB + ",\"torch_dtype\":\"float32\"}";
    /** q/k/v biases (and none on o_proj), tied embeddings, one key/value head: Qwen2's shape. */
    static final String QWEN2 = "{\"architectures\":[\"Qwen2ForCausalLM\"],\"model_type\":\"qwen2\",\"hidden_size\":32,"
            + "\"intermediate_size\":48,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":1,"
            + "\"max_position_embeddings\":64,\"rms_norm_eps\":1e-6,\"rope_theta\":1000000.0,\"tie_word_embeddings\":true,"
            + "\"use_sliding_window\":false,\"vocab_size\":" + VOCAB + ",\"torch_dtype\":\"bfloat16\"}";
    /** A sliding window smaller than the positions: the usable context is the window. */
    static final String MISTRAL = "{\"architectures\":[\"MistralForCausalLM\"],\"model_type\":\"mistral\",\"hidden_size\":32,"
            + "\"intermediate_size\":64,\"num_hidden_layers\":1,\"num_attention_heads\":2,\"num_key_value_heads\":2,"
            + "\"max_position_embeddings\":128,\"sliding_window\":48,\"rms_norm_eps\":1e-5,\"rope_theta\":10000.0,"
            + "\"vocab_size\":" + VOCAB + ",\"torch_dtype\":\"float16\"}";
    /** Llama with attention_bias: biases on q, k, v and o. */
    static final String LLAMA_BIASED = LLAMA.replace("\"hidden_act\"", "\"attention_bias\":true,\"hidden_act\"");

    /** Writes a random model of the config as transformers saves it; returns its tensors as stored (after dtype rounding). */
    static Map<String, float[]> writeModel(Path dir, String configJson, long seed) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), configJson);
        Files.copy(HfModelsTest.TOKENIZER, dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\":\"[BOS]\",\"eos_token\":\"[EOS]\",\"pad_token\":\"[PAD]\"}");
        HfConfig config = HfConfig.read(dir.resolve("config.json"));
        Random random = new Random(seed);
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        HfTensors.expected(config).forEach((name, shape) -> {
            float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            for (int i = 0; i < v.length; i++) {
                v[i] = name.endsWith("norm.weight") ? 1f + 0.2f * (float) random.nextGaussian() : 0.25f * (float) random.nextGaussian();
            }
            tensors.put(name, new SafeTensors.Tensor(v, shape, config.dtype()));
        });
        SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        SafeTensors written = SafeTensors.open(dir.resolve("model.safetensors"));
        Map<String, float[]> values = new LinkedHashMap<>();
        for (String name : tensors.keySet()) {
            values.put(name, written.floats(name));
        }
        return values;
    }

    static float[][] logits(Policy policy, int[] ids) {
        try (NDManager m = policy.manager().newSubManager()) {
            long[] tokens = Arrays.stream(ids).asLongStream().toArray();
            long[] positions = new long[ids.length];
            Arrays.setAll(positions, i -> i);
            NDArray out = policy.model().forward(policy.parameterStore(), m.create(tokens, new Shape(1, ids.length)),
                    m.create(positions, new Shape(1, ids.length)), Masks.causal(m, ids.length), null, false);
            float[] flat = out.toFloatArray();
            float[][] rows = new float[ids.length][VOCAB];
            for (int t = 0; t < ids.length; t++) {
                System.arraycopy(flat, t * VOCAB, rows[t], 0, VOCAB);
            }
            return rows;
        }
    }

    /** Largest |ours - reference| over every position and vocabulary entry. */
    static double largestDifference(float[][] actual, double[][] expected) {
        double worst = 0;
        for (int t = 0; t < actual.length; t++) {
            for (int v = 0; v < actual[t].length; v++) {
                worst = Math.max(worst, Math.abs(actual[t][v] - expected[t][v]));
            }
        }
        return worst;
    }

    private void matchesTheReference(String configJson, String name) throws Exception {
        Path dir = tmp.resolve(name);
        Map<String, float[]> weights = writeModel(dir, configJson, 11);
        HfConfig config = HfConfig.read(dir.resolve("config.json"));
        ReferenceLlama reference = new ReferenceLlama(weights, config);
        int[] ids = {1, 7, 14, 12, 9, 15, 2, 4, 20, 21, 5, 6, 8, 10, 11, 13, 16, 17, 18, 19, 22, 23, 24, 25};
        double[][] expected = reference.logits(ids);
        try (Policy policy = HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE)) {
            double worst = largestDifference(logits(policy, ids), expected);
            assertTrue(worst < 1e-4, name + ": largest logit difference from the reference: " + worst);

            int[] prompt = {1, 7, 14, 12};
            Sample greedy = new Sampler(true).sample(policy, List.of(new SampleRequest(prompt, SamplingSettings.greedy(12), 1))).get(0);
            int[] referenceTokens = reference.greedy(prompt, 12);
            int eos = policy.format().tokenizer().eos();
            int end = 0;
            while (end < referenceTokens.length && referenceTokens[end] != eos) {
                end++;
            }
            assertArrayEquals(Arrays.copyOf(referenceTokens, end), greedy.tokenIds(), name + ": greedy tokens with the KV cache");
        }
    }

    @Test
    void aLlamaWithGroupedQueryAttentionAndItsOwnOutputLayerGivesTheReferenceLogitsAndGreedyTokens() throws Exception {
        matchesTheReference(LLAMA, "llama");
    }

    @Test
    void aQwen2WithQkvBiasesAndTiedEmbeddingsInBf16GivesTheReferenceLogitsAndGreedyTokens() throws Exception {
        matchesTheReference(QWEN2, "qwen2");
    }

    @Test
    void aMistralInFp16GivesTheReferenceLogitsAndItsContextIsTheWindow() throws Exception {
        matchesTheReference(MISTRAL, "mistral");
        try (Policy policy = HfModels.load(tmp.resolve("mistral"), PromptFormat.DEFAULT_TEMPLATE)) {
            assertEquals(48, policy.config().contextLength(), "no sequence is longer than the sliding window, so it never cuts");
        }
    }

    @Test
    void aLlamaWithAttentionBiasGivesTheReferenceLogits() throws Exception {
        matchesTheReference(LLAMA_BIASED, "llama-biased");
    }

    @Test
    void importExportImportIsBitIdenticalInEachFamilysOwnDtype() throws Exception {
        for (String config : List.of(LLAMA, QWEN2, MISTRAL, LLAMA_BIASED)) {
            Path dir = tmp.resolve("model-" + config.hashCode());
            writeModel(dir, config, 3);
            HfConfig original = HfConfig.read(dir.resolve("config.json"));
            Path out = tmp.resolve("exported-" + config.hashCode());
            try (Policy policy = HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE)) {
                HfModels.save(policy, out, original.dtype());
            }
            HfConfig exported = HfConfig.read(out.resolve("config.json"));
            assertEquals(original.architecture(), exported.architecture());
            assertEquals(original.kvHeads(), exported.kvHeads());
            assertEquals(original.tieWordEmbeddings(), exported.tieWordEmbeddings());
            assertEquals(original.attentionBias(), exported.attentionBias());
            assertEquals(original.ropeTheta(), exported.ropeTheta());
            SafeTensors before = SafeTensors.open(dir.resolve("model.safetensors"));
            SafeTensors after = SafeTensors.open(out.resolve("model.safetensors"));
            assertEquals(before.entries().keySet(), after.entries().keySet(), original.architecture());
            for (String name : before.entries().keySet()) {
                assertArrayEquals(before.entries().get(name).shape(), after.entries().get(name).shape(), name);
                assertEquals(before.entries().get(name).type(), after.entries().get(name).type(), name);
                assertArrayEquals(before.floats(name), after.floats(name), name);
            }
            try (Policy again = HfModels.load(out, PromptFormat.DEFAULT_TEMPLATE);
                 Policy first = HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE)) {
                int[] ids = {1, 5, 6, 2};
                assertArrayEquals(logits(first, ids)[3], logits(again, ids)[3]);
            }
        }
    }

    @Test
    void aMissingOrMisshapenTensorIsRefusedNamingIt() throws Exception {
        Path dir = tmp.resolve("broken");
        Map<String, float[]> weights = writeModel(dir, LLAMA, 5);
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        weights.forEach((name, v) -> {
            if (!name.equals("model.layers.1.mlp.up_proj.weight")) {
                tensors.put(name, new SafeTensors.Tensor(v, SafeTensors.open(dir.resolve("model.safetensors")).entries().get(name).shape(), TensorType.F32));
            }
        });
        SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE));
        assertEquals("tensor model.layers.1.mlp.up_proj.weight is missing from the model's weights", e.getMessage());
    }
}
