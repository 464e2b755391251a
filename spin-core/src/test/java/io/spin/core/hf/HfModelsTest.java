package io.spin.core.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.spin.core.model.Masks;
import io.spin.core.model.Policy;
import io.spin.data.hf.HalfFloats;
import io.spin.data.hf.HfConfig;
import io.spin.data.hf.HfTensors;
import io.spin.data.hf.SafeTensors;
import io.spin.data.hf.TensorType;
import io.spin.data.text.PromptFormat;

/** A GPT-2 in Hugging Face layout imported into the model core gives the logits GPT-2's own formulas give, and exports back. */
class HfModelsTest {
    static final Path TOKENIZER = Path.of("src/test/resources/hf/tokenizer.json");
    static final int WIDTH = 16;
    static final int HEADS = 2;
    static final int INNER = 24;
    static final int VOCAB = 29;
    static final int LAYERS = 2;

    @TempDir
    Path tmp;

    /** A random GPT-2 as transformers would save it (with the "transformer." prefix and the mask buffers). */
    static Map<String, float[]> writeGpt2(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"GPT2LMHeadModel\"],\"model_type\":\"gpt2\",\"n_embd\":" + WIDTH
                + ",\"n_layer\":" + LAYERS + ",\"n_head\":" + HEADS + ",\"n_positions\":32,\"n_inner\":" + INNER + ",\"vocab_size\":" + VOCAB
                + ",\"activation_function\":\"gelu_new\",\"layer_norm_epsilon\":1e-5,\"torch_dtype\":\"float32\"}");
        Files.copy(TOKENIZER, dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\":\"[BOS]\",\"eos_token\":{\"content\":\"[EOS]\"},\"pad_token\":\"[PAD]\"}");
        HfConfig config = HfConfig.read(dir.resolve("config.json"));
        Random random = new Random(7);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        HfTensors.expected(config).forEach((name, shape) -> {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            float[] v = new float[(int) n];
            for (int i = 0; i < v.length; i++) {
                v[i] = name.contains("ln_") && name.endsWith("weight") ? 1f + 0.1f * (float) random.nextGaussian() : 0.3f * (float) random.nextGaussian();
            }
            values.put(name, v);
            tensors.put("transformer." + name, new SafeTensors.Tensor(v, shape, TensorType.F32));
        });
        tensors.put("transformer.h.0.attn.bias", new SafeTensors.Tensor(new float[32 * 32], new long[] {1, 1, 32, 32}, TensorType.F32));
        SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return values;
    }

    private static float[][] logits(Policy policy, int[] ids) {
        try (NDManager m = policy.manager().newSubManager()) {
            long[] tokens = new long[ids.length];
            long[] positions = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                tokens[i] = ids[i];
                positions[i] = i;
            }
            NDArray out = policy.model().forward(policy.parameterStore(), m.create(tokens, new Shape(1, ids.length)),
                    m.create(positions, new Shape(1, ids.length)), Masks.causal(m, ids.length), null, false);
            float[] flat = out.toFloatArray();
            int vocab = (int) out.getShape().get(2);
            float[][] rows = new float[ids.length][vocab];
            for (int t = 0; t < ids.length; t++) {
                System.arraycopy(flat, t * vocab, rows[t], 0, vocab);
            }
            return rows;
        }
    }

    @Test
    void anImportedGpt2GivesTheLogitsOfGpt2sOwnFormulas() throws Exception {
        Path dir = tmp.resolve("gpt2");
        Map<String, float[]> weights = writeGpt2(dir);
        int[] ids = {1, 7, 14, 12, 9, 15, 2, 4};
        double[][] expected = new ReferenceGpt2(weights, WIDTH, HEADS, INNER, VOCAB, LAYERS, 1e-5).logits(ids);
        try (Policy policy = HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE)) {
            assertEquals(INNER, policy.config().mlpWidth());
            assertEquals(2, policy.format().tokenizer().eos(), "[EOS] from tokenizer_config.json");
            double worst = LlamaModelsTest.largestDifference(logits(policy, ids), expected);
            assertTrue(worst < 1e-4, "largest logit difference from the reference: " + worst);
        }
    }

    @Test
    void anExportedModelReadsBackWithTheSameTensorsAndLogits() throws Exception {
        Path dir = tmp.resolve("gpt2");
        Map<String, float[]> weights = writeGpt2(dir);
        int[] ids = {1, 5, 6, 2};
        try (Policy policy = HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE)) {
            Path out = tmp.resolve("exported");
            HfModels.save(policy, out, TensorType.F32);
            SafeTensors exported = SafeTensors.open(out.resolve("model.safetensors"));
            assertArrayEquals(weights.get("h.1.attn.c_attn.weight"), exported.floats("h.1.attn.c_attn.weight"), "Conv1D layout restored");
            assertArrayEquals(new long[] {WIDTH, 3 * WIDTH}, exported.entries().get("h.1.attn.c_attn.weight").shape());
            try (Policy again = HfModels.load(out, PromptFormat.DEFAULT_TEMPLATE)) {
                assertArrayEquals(logits(policy, ids)[3], logits(again, ids)[3]);
            }
            Path bf16 = tmp.resolve("bf16");
            HfModels.save(policy, bf16, TensorType.BF16);
            float first = weights.get("wte.weight")[0];
            assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(first)), SafeTensors.open(bf16.resolve("model.safetensors")).floats("wte.weight")[0]);
            assertTrue(Files.readString(bf16.resolve("config.json")).contains("\"torch_dtype\" : \"bfloat16\""));
        }
    }

    @Test
    void aModelWithAChatTemplatePromptsThroughItAndExportsIt() throws Exception {
        Path dir = tmp.resolve("chat");
        writeGpt2(dir);
        String template = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}{% if add_generation_prompt %} =>{% endif %}";
        java.util.Map<String, Object> tokenizerConfig = new java.util.LinkedHashMap<>(java.util.Map.of("bos_token", "[BOS]", "eos_token", "[EOS]"));
        tokenizerConfig.put("chat_template", java.util.List.of(java.util.Map.of("name", "tool_use", "template", "x"),
                java.util.Map.of("name", "default", "template", template)));
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(dir.resolve("tokenizer_config.json").toFile(), tokenizerConfig);
        try (Policy policy = HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE)) {
            assertEquals(template, policy.format().chat().source(), "the default of the named templates");
            assertArrayEquals(new int[] {1, 4, 5, 18, 6}, policy.format().prompt("define: kettle", 16).ids());
            HfModels.save(policy, tmp.resolve("chat-out"), TensorType.F32);
            assertEquals(template, HfModels.chatTemplate(tmp.resolve("chat-out")));
        }
    }

    @Test
    void aByteLevelModelExportsWithATokenizerThatTokenizesAsSpinsOwn() throws Exception {
        io.spin.data.text.ByteTokenizer bytes = new io.spin.data.text.ByteTokenizer();
        try (Policy policy = Policy.create(new io.spin.data.model.ModelConfig(1, 16, 2, 64, 259), PromptFormat.DEFAULT_TEMPLATE, 4)) {
            Path out = tmp.resolve("bytes");
            HfModels.save(policy, out, TensorType.F32);
            // the tokenizers library transformers uses reads it, and splits text exactly as SPIN's byte tokenizer does
            io.spin.core.text.HuggingFaceTokenizer hf = io.spin.core.text.HuggingFaceTokenizer.load(out.resolve("tokenizer.json"),
                    "<|bos|>", "<|eos|>", "<|pad|>");
            assertEquals(259, hf.vocabSize());
            assertEquals(256, hf.bos());
            assertEquals(257, hf.eos());
            for (String text : java.util.List.of("Define: kettle", "naïve café – 東京 🚀", " two  spaces\n\ttab", "!~¡¬®ÿ\u0000\u007f")) {
                assertArrayEquals(bytes.encode(text), hf.encode(text), text);
                assertEquals(text, hf.decode(hf.encode(text)), text);
            }
            try (Policy again = HfModels.load(out, PromptFormat.DEFAULT_TEMPLATE)) {
                int[] prompt = policy.format().prompt("Define: kettle", 60).ids();
                assertArrayEquals(prompt, again.format().prompt("Define: kettle", 60).ids());
                assertArrayEquals(logits(policy, prompt)[prompt.length - 1], logits(again, prompt)[prompt.length - 1]);
            }
        }
    }

    @Test
    void djlParameterNamesMapWithoutTheirIndexPrefixes() {
        assertEquals("layer10.qkv.weight", HfLayout.ourName("11layer10_02qkv_weight"));
        assertEquals("finalNorm.gamma", HfLayout.ourName("02finalNorm_gamma"));
        assertEquals("tokenEmbedding", HfLayout.ourName("tokenEmbedding"));
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, HfModels.transpose(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    }
}
