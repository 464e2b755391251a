package io.spin.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.train.SftTrainer;
import io.spin.core.train.TokenizedExample;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingListener;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.PromptFormat;

/**
 * Sampling in float16 on the CPU against float32, on a left-padded batch whose prompts differ in length (the case that
 * gave NaN rows when the -1e9 mask became -inf in float16), and after a training step (the half-precision copy must
 * follow the weights).
 */
public class HalfPrecisionTest {
    private static final String[] PROMPTS = {"Define: lighthouse", "x", "Define: the smallest unit of a chemical element", "Define: a"};

    private static Policy policy(String preset, DataType sampling) {
        return Policy.create(ModelConfig.preset(preset), new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, new io.spin.data.text.ByteTokenizer()),
                41, sampling);
    }

    private static List<int[]> prompts(Policy policy) {
        List<int[]> prompts = new ArrayList<>();
        for (String p : PROMPTS) {
            prompts.add(policy.format().prompt(p, 96).ids());
        }
        return prompts;
    }

    /** The padded batch's logits at every real position, through the store sampling reads, as float32 (batch, tokens, vocab). */
    public static float[][] paddedLogits(Policy policy, List<int[]> prompts) {
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        int batch = prompts.size();
        long[] ids = new long[batch * longest];
        long[] positions = new long[batch * longest];
        int[] padding = new int[batch];
        for (int b = 0; b < batch; b++) {
            padding[b] = longest - prompts.get(b).length;
            for (int i = 0; i < longest; i++) {
                ids[b * longest + i] = i < padding[b] ? policy.format().tokenizer().pad() : prompts.get(b)[i - padding[b]];
                positions[b * longest + i] = Math.max(0, i - padding[b]);
            }
        }
        try (NDManager m = policy.manager().newSubManager()) {
            NDArray logits = policy.model().forward(policy.samplingStore(), m.create(ids, new Shape(batch, longest)),
                    m.create(positions, new Shape(batch, longest)), Masks.causalWithPadding(m, padding, longest, longest), null, false);
            float[] all = logits.toType(DataType.FLOAT32, false).toFloatArray();
            int vocab = policy.config().vocabSize();
            float[][] rows = new float[batch][];
            for (int b = 0; b < batch; b++) {
                // the real positions only: a padding query's logits mean nothing
                int real = prompts.get(b).length;
                rows[b] = new float[real * vocab];
                System.arraycopy(all, (b * longest + padding[b]) * vocab, rows[b], 0, real * vocab);
            }
            return rows;
        }
    }

    private static double largestDifference(float[][] a, float[][] b) {
        double worst = 0;
        for (int r = 0; r < a.length; r++) {
            assertEquals(a[r].length, b[r].length);
            for (int i = 0; i < a[r].length; i++) {
                assertTrue(Float.isFinite(a[r][i]), "row " + r + " logit " + i + " is " + a[r][i]);
                worst = Math.max(worst, Math.abs(a[r][i] - b[r][i]));
            }
        }
        return worst;
    }

    private static List<Sample> greedy(Policy policy) {
        List<SampleRequest> requests = new ArrayList<>();
        for (int[] p : prompts(policy)) {
            requests.add(new SampleRequest(p, SamplingSettings.greedy(24), 5));
        }
        return new Sampler(true).sample(policy, requests);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "llama-tiny"})
    void float16PaddedBatchMatchesFloat32(String preset) {
        try (Policy full = policy(preset, DataType.FLOAT32); Policy half = policy(preset, DataType.FLOAT16)) {
            assertEquals(DataType.FLOAT16, half.samplingType());
            double worst = largestDifference(paddedLogits(half, prompts(half)), paddedLogits(full, prompts(full)));
            assertTrue(worst < 2e-2, "float16 logits within 2e-2 of float32, largest difference " + worst);
            List<Sample> a = greedy(full);
            List<Sample> b = greedy(half);
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).tokenIds(), b.get(i).tokenIds(), "greedy tokens of prompt " + i);
                assertEquals(a.get(i).logProb(), b.get(i).logProb(), 0.05 * Math.max(1, a.get(i).tokenIds().length));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "llama-tiny"})
    void float16SamplingAfterATrainingStepUsesTheNewWeights(String preset) {
        try (Policy full = policy(preset, DataType.FLOAT32); Policy half = policy(preset, DataType.FLOAT16)) {
            float[][] before = paddedLogits(half, prompts(half));
            List<TokenizedExample> data = List.of(new TokenizedExample("a", prompts(half).get(0), new int[] {70, 71, 72, 2}),
                    new TokenizedExample("b", prompts(half).get(1), new int[] {73, 74, 2}));
            TrainingConfig config = new TrainingConfig(1, 2, 5e-2, 0, 0, 1, 3);
            new SftTrainer(config).train(full, data, TrainingListener.NONE);
            new SftTrainer(config).train(half, data, TrainingListener.NONE);
            float[][] after = paddedLogits(half, prompts(half));
            assertTrue(largestDifference(after, before) > 0.1, "the step moved the float16 logits");
            double worst = largestDifference(after, paddedLogits(full, prompts(full)));
            assertTrue(worst < 2e-2, "float16 logits after the step within 2e-2 of float32's, largest difference " + worst);
            assertFalse(greedy(half).isEmpty());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "llama-tiny"})
    void theEvalBeforeAndAfterTrainingIsFloat32s(String preset) {
        try (Policy full = policy(preset, DataType.FLOAT32); Policy half = policy(preset, DataType.FLOAT16)) {
            List<TokenizedExample> data = new ArrayList<>();
            List<String> human = new ArrayList<>();
            for (int i = 0; i < PROMPTS.length; i++) {
                String response = "gloss " + i;
                data.add(new TokenizedExample("e" + i, full.format().prompt(PROMPTS[i], 96).ids(), full.format().response(response, 32).ids()));
                human.add(response);
            }
            io.spin.core.eval.Evaluator evaluator = new io.spin.core.eval.Evaluator(4, 16);
            for (int round = 0; round < 2; round++) {
                var a = evaluator.evaluate(full, data, human);
                var b = evaluator.evaluate(half, data, human);
                assertEquals(a.humanLogpPerToken(), b.humanLogpPerToken(), 1e-6, "round " + round + ": log-probs are float32's on both");
                assertEquals(a.meanSimilarity(), b.meanSimilarity(), 1e-9, "round " + round + ": the same greedy generations");
                assertEquals(a.exactMatchRate(), b.exactMatchRate(), 1e-9);
                TrainingConfig config = new TrainingConfig(2, 4, 2e-2, 0, 0, 1, 3);
                new SftTrainer(config).train(full, data, TrainingListener.NONE);
                new SftTrainer(config).train(half, data, TrainingListener.NONE);
            }
        }
    }
}
