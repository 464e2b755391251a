package io.spin.core.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Policy;
import io.spin.data.hf.TensorType;
import io.spin.data.text.PromptFormat;

/**
 * What a model directory says beside its weights, as a Qwen2- or Llama-3-like model says it: no BOS, a stop id in
 * generation_config.json beyond the EOS, more embeddings than tokens, a window below the model's positions, tokenizer
 * fields SPIN does not use. Each is honoured in sampling and written back by the export.
 */
class HfDirectoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TOKENS = 29; // the test tokenizer's; the model below has 36 embeddings
    private static final int STOP = 5;

    @TempDir
    Path tmp;

    private Path directory() throws Exception {
        Path dir = tmp.resolve("model");
        LlamaModelsTest.writeModel(dir, LlamaModelsTest.MISTRAL.replace("\"vocab_size\":" + LlamaModelsTest.VOCAB, "\"vocab_size\":36")
                .replace("\"rope_theta\":10000.0", "\"rope_theta\":10000.0,\"eos_token_id\":2"), 7);
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"eos_token\":\"[EOS]\",\"pad_token\":\"[PAD]\",\"model_max_length\":128,\"clean_up_tokenization_spaces\":false}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\":[2," + STOP + "],\"do_sample\":true}");
        return dir;
    }

    /** Sets the output layer's rows: those of known tokens to {@code known(id)} times a constant row, the rest to 3. */
    private static void setOutputRows(Policy policy, java.util.function.IntToDoubleFunction known) {
        for (Pair<String, Parameter> p : policy.model().getParameters()) {
            if (p.getKey().contains("outputLayer")) {
                NDArray w = p.getValue().getArray();
                int width = (int) w.getShape().get(1);
                float[] v = new float[(int) w.size()];
                for (int id = 0; id < w.getShape().get(0); id++) {
                    for (int j = 0; j < width; j++) {
                        v[id * width + j] = (float) (id < TOKENS ? known.applyAsDouble(id) : 3.0) * (j % 2 == 0 ? 1 : -1);
                    }
                }
                w.set(v);
            }
        }
        policy.weightsChanged();
    }

    private static List<Sample> sample(Policy policy, SamplingSettings settings) {
        int[] prompt = policy.format().prompt("define: kettle", 16).ids();
        return new Sampler(true).sample(policy, List.of(new SampleRequest(prompt, settings, 1), new SampleRequest(prompt, settings, 2)));
    }

    @Test
    void noFakeBosEveryStopIdEndsAResponseAndNoIdBeyondTheTokenizerIsSampled() throws Exception {
        try (Policy policy = HfModels.load(directory(), "{prompt} =>")) {
            assertEquals(-1, policy.format().tokenizer().bos(), "tokenizer_config.json names no BOS");
            assertArrayEquals(new int[] {4, 5, 18, 6}, policy.format().prompt("define: kettle", 16).ids(), "no BOS, no EOS standing in");
            assertEquals(Set.of(2, STOP), policy.format().stopIds());

            setOutputRows(policy, id -> 0); // only the 7 embeddings beyond the tokenizer have non-zero logits
            for (SamplingSettings s : List.of(SamplingSettings.greedy(12), new SamplingSettings(1.0, 1.0, 0, 12), new SamplingSettings(1.0, 0.9, 5, 12))) {
                for (Sample sample : sample(policy, s)) {
                    assertTrue(java.util.Arrays.stream(sample.tokenIds()).allMatch(id -> id < TOKENS), s + ": " + java.util.Arrays.toString(sample.tokenIds()));
                }
            }
            setOutputRows(policy, id -> id == STOP ? 10 : 0); // generation_config.json's second EOS is by far the likeliest
            for (Sample sample : sample(policy, SamplingSettings.greedy(12))) {
                assertEquals(0, sample.tokenIds().length);
                assertTrue(sample.finishedByEos(), "stopped on " + STOP);
            }
        }
    }

    @Test
    void theExportWritesBackTheModelsPositionsStopIdsAndTokenizerFields() throws Exception {
        try (Policy policy = HfModels.load(directory(), "{prompt} =>")) {
            assertEquals(48, policy.config().contextLength(), "the window bounds the context");
            Path out = tmp.resolve("out");
            HfModels.save(policy, out, TensorType.F32);
            JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
            assertEquals(128, config.path("max_position_embeddings").asInt(), "the model's own, not the window");
            assertEquals(48, config.path("sliding_window").asInt());
            assertTrue(config.path("bos_token_id").isNull());
            assertEquals(List.of(2, STOP), JSON.convertValue(config.path("eos_token_id"), List.class));
            JsonNode generation = JSON.readTree(out.resolve("generation_config.json").toFile());
            assertEquals(List.of(2, STOP), JSON.convertValue(generation.path("eos_token_id"), List.class));
            assertFalse(generation.has("bos_token_id"));
            JsonNode tokenizer = JSON.readTree(out.resolve("tokenizer_config.json").toFile());
            assertEquals(128, tokenizer.path("model_max_length").asInt());
            assertFalse(tokenizer.path("clean_up_tokenization_spaces").asBoolean(true));
            assertTrue(tokenizer.path("bos_token").isNull());

            // and a checkpoint keeps all of it
            String sha = CheckpointFiles.save(policy, null, tmp.resolve("c"), "hf", null, Map.of(), Map.of());
            try (Policy loaded = CheckpointFiles.load(tmp.resolve("c"), sha); Policy again = HfModels.load(out, "{prompt} =>")) {
                for (Policy p : List.of(loaded, again)) {
                    assertEquals(Set.of(2, STOP), p.format().stopIds());
                    assertEquals(-1, p.format().tokenizer().bos());
                    assertEquals(128, p.config().maxPositions());
                    assertEquals(48, p.config().contextLength());
                }
            }
        }
    }
}
