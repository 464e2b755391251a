package io.spin.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.data.model.ModelConfig;
import io.spin.core.model.Policy;
import io.spin.core.text.HuggingFaceTokenizer;
import io.spin.data.text.PromptFormat;

class HuggingFaceTokenizerTest {
    static final Path FILE = Path.of("src/test/resources/hf/tokenizer.json");

    @TempDir
    Path tmp;

    @Test
    void aLocalTokenizerJsonLoadsOfflineAndRoundTrips() throws Exception {
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.load(FILE, "[BOS]", "[EOS]", "[PAD]");
        assertEquals(29, tokenizer.vocabSize());
        assertArrayEquals(new int[] {4, 5, 18}, tokenizer.encode("Define: kettle"));
        assertEquals(3, tokenizer.encode("zebra")[0], "unknown words map to [UNK]");
        assertEquals("a tower with the light", tokenizer.decode(new int[] {1, 7, 14, 12, 9, 15, 2}));
        assertEquals(1, tokenizer.bos());
        assertEquals(2, tokenizer.eos());
        assertEquals(0, tokenizer.pad());
        var e = assertThrows(IllegalArgumentException.class, () -> HuggingFaceTokenizer.load(FILE, "<s>", "[EOS]", "[PAD]"));
        assertTrue(e.getMessage().contains("'<s>'"), e.getMessage());
    }

    @Test
    void aModelWithItSamplesAndItsCheckpointCarriesTheTokenizer() throws Exception {
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.load(FILE, "[BOS]", "[EOS]", "[PAD]");
        PromptFormat format = new PromptFormat("{prompt} =>", tokenizer);
        try (Policy policy = Policy.create(new ModelConfig(1, 32, 2, 64, tokenizer.vocabSize()), format, 5)) {
            int[] prompt = format.prompt("define: kettle", 16).ids();
            assertArrayEquals(new int[] {1, 4, 5, 18, 6}, prompt);
            List<Sample> samples = new Sampler(true).sample(policy, List.of(new SampleRequest(prompt, new SamplingSettings(1, 1, 0, 8), 3)));
            assertTrue(samples.get(0).tokenCount() > 0);
            String sha = CheckpointFiles.save(policy, null, tmp.resolve("c"), "hf", null, Map.of(), Map.of());
            try (Policy loaded = CheckpointFiles.load(tmp.resolve("c"), sha)) {
                assertEquals(tokenizer.name(), loaded.format().tokenizer().name());
                assertArrayEquals(prompt, loaded.format().prompt("define: kettle", 16).ids());
                assertArrayEquals(samples.get(0).tokenIds(), new Sampler(true).sample(loaded,
                        List.of(new SampleRequest(prompt, new SamplingSettings(1, 1, 0, 8), 3))).get(0).tokenIds());
            }
        }
    }
}
