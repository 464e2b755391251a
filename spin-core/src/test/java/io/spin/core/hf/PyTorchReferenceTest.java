package io.spin.core.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Policy;
import io.spin.data.text.PromptFormat;

/**
 * The model core against bench/hf/reference.py, a PyTorch eager implementation written from the published formulas:
 * logits within 1e-4 and token-identical greedy generations, for each family. Skips (saying why) where no Python
 * with torch is installed; CI installs Debian's python3-torch.
 */
class PyTorchReferenceTest {
    private static PyTorchReference reference;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findPython() {
        reference = PyTorchReference.find(Path.of("..").toAbsolutePath().normalize());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "mistral", "llama-biased", "gpt2"})
    void logitsAndGreedyTokensEqualThePyTorchReference(String family) throws Exception {
        assumeTrue(reference != null, "no Python with torch here (apt-get install python3-torch, or set SPIN_PYTHON)");
        Path dir = tmp.resolve(family);
        if (family.equals("gpt2")) {
            HfModelsTest.writeGpt2(dir);
        } else {
            LlamaModelsTest.writeModel(dir, switch (family) {
                case "llama" -> LlamaModelsTest.LLAMA;
                case "qwen2" -> LlamaModelsTest.QWEN2;
                case "mistral" -> LlamaModelsTest.MISTRAL;
                default -> LlamaModelsTest.LLAMA_BIASED;
            }, 13);
        }
        int[] ids = {1, 7, 14, 12, 9, 15, 2, 4, 20, 21, 5, 6, 8, 10, 11, 13};
        double[][] expected = reference.logits(dir, ids);
        try (Policy policy = HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE)) {
            double worst = LlamaModelsTest.largestDifference(LlamaModelsTest.logits(policy, ids), expected);
            assertTrue(worst < 1e-4, family + ": largest logit difference from PyTorch: " + worst);
            int[] prompt = {1, 7, 14, 12};
            Sample greedy = new Sampler(true).sample(policy, List.of(new SampleRequest(prompt, SamplingSettings.greedy(12), 1))).get(0);
            int[] theirs = reference.greedy(dir, prompt, 12);
            int end = 0;
            while (end < theirs.length && theirs[end] != policy.format().tokenizer().eos()) {
                end++;
            }
            assertArrayEquals(Arrays.copyOf(theirs, end), greedy.tokenIds(), family + ": greedy tokens");
        }
    }
}
