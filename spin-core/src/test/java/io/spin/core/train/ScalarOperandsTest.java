package io.spin.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.spin.core.model.Policy;
import io.spin.core.model.Scalars;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.PromptFormat;

/**
 * Gradients must not depend on what the garbage collector and malloc do between forward and backward: each loss is
 * differentiated twice, the second time after freeing unreachable direct buffers and filling freshly allocated ones
 * with 12345, and the gradients must be bit-identical (Scalars says why they were not).
 */
class ScalarOperandsTest {
    @Test
    void aScalarOperandLivesUntilTheBackwardPass() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, 2f, 3f});
            x.setRequiresGradient(true);
            // with DJL's own x.mul(2f) this read a freed, reused 4-byte block: 12345, 0 or -2.25e30 here
            assertArrayEquals(new float[] {2f, 2f, 2f}, gradientOf(x, () -> x.mul(Scalars.of(x, 2f)).sum()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gelu", "gelu_tanh", "llama"})
    void sftAndSpinGradientsAreTheSameWhenFreedMemoryIsReusedBeforeBackward(String family) throws Exception {
        ModelConfig config = switch (family) {
            case "gelu" -> ModelConfig.preset("tiny");
            case "gelu_tanh" -> new ModelConfig(2, 64, 4, 256, 259, 0, ModelConfig.GELU_TANH, 0);
            default -> ModelConfig.preset("llama-tiny");
        };
        try (Policy policy = Policy.create(config, PromptFormat.DEFAULT_TEMPLATE, 5)) {
            List<TokenizedPair> pairs = TrainingTest.pairs(policy.format());
            double[] refReal = {-40, -35, -30, -38, -33};
            double[] refGenerated = {-20, -25, -30, -22, -27};
            int[] chosenTokens = {30, 25, 20, 18, 24};
            SequenceBatch sequences = SequenceBatch.of(pairs.stream().map(TokenizedPair::prompt).toList(),
                    pairs.stream().map(TokenizedPair::chosen).toList(), policy.format().tokenizer().pad());
            Function<NDManager, NDArray> loss = m -> SftTrainer.loss(policy, m, sequences)
                    .add(SpinTrainer.SpinLoss.compute(m, SpinTrainer.pairLogProbs(policy, m, pairs, true), refReal, refGenerated,
                            new SpinConfig(TrainingConfig.of(1, 5, 1e-3, 1), 0.1, LossType.SIGMOID, 0.5), chosenTokens))
                    .add(SpinTrainer.SpinLoss.compute(m, SpinTrainer.pairLogProbs(policy, m, pairs, true), refReal, refGenerated,
                            new SpinConfig(TrainingConfig.of(1, 5, 1e-3, 1), 0.1, LossType.HINGE, 0.0), chosenTokens));
            Map<String, float[]> quiet = gradients(policy, loss, false);
            Map<String, float[]> reused = gradients(policy, loss, true);
            for (String name : quiet.keySet()) {
                assertArrayEquals(quiet.get(name), reused.get(name), family + ": " + name);
            }
        }
    }

    private static float[] gradientOf(NDArray x, java.util.function.Supplier<NDArray> f) throws Exception {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray y = f.get();
            reuseFreedMemory();
            collector.backward(y);
        }
        float[] gradient = x.getGradient().toFloatArray();
        x.getGradient().muli(0f);
        return gradient;
    }

    private static Map<String, float[]> gradients(Policy policy, Function<NDManager, NDArray> loss, boolean reuse) throws Exception {
        Map<String, float[]> gradients = new LinkedHashMap<>();
        try (NDManager m = policy.manager().newSubManager()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray value = loss.apply(m);
                if (reuse) {
                    reuseFreedMemory();
                }
                collector.backward(value);
            }
            for (Pair<String, Parameter> p : policy.model().getParameters()) {
                gradients.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
            }
            Gradients.zero(policy.model().getParameters());
        }
        return gradients;
    }

    /** Frees the direct buffers nobody holds any more, then takes small blocks back and fills them with 12345. */
    private static void reuseFreedMemory() throws InterruptedException {
        System.gc();
        Thread.sleep(50); // the JDK's cleaner thread frees direct buffers after the collection
        List<ByteBuffer> fresh = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            b.putFloat(0, 12345f);
            fresh.add(b);
        }
    }
}
