package io.spin.core.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.spin.core.hf.HfModels;
import io.spin.core.model.Policy;
import io.spin.core.train.LossType;
import io.spin.core.train.SpinConfig;
import io.spin.core.train.SpinTrainer;
import io.spin.core.train.StepMetrics;
import io.spin.core.train.TokenizedPair;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingListener;
import io.spin.data.hf.TensorType;
import io.spin.data.model.LoraConfig;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.PromptFormat;

/**
 * A LoRA policy whose frozen base is held in float16: the only difference from a float32 base must be the rounding of
 * the layers' matrices, so it is checked against a float32 base whose matrices were rounded to float16 by hand.
 */
class HalfPrecisionBaseTest {
    private static final ModelConfig LLAMA = ModelConfig.preset("llama-tiny");
    private static final PromptFormat FORMAT = new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, new ByteTokenizer());
    private static final int[] IDS = {256, 68, 101, 102, 105, 110, 101, 58, 32, 107, 101, 116};

    @TempDir
    Path tmp;

    private static boolean layerMatrix(Pair<String, Parameter> p) {
        return p.getKey().matches("\\d*layer\\d+_.*") && p.getValue().getArray().getShape().dimension() == 2;
    }

    /** The policy with adapters, its base held in 16 bits or, as the reference, in float32 rounded to float16. */
    private static Policy adapted(DataType base, DataType sampling) {
        Policy policy = Policy.create(LLAMA, FORMAT, 21, sampling);
        if (base == DataType.FLOAT32) {
            for (Pair<String, Parameter> p : policy.model().getParameters()) {
                if (layerMatrix(p)) {
                    NDArray w = p.getValue().getArray();
                    w.set(w.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).toFloatArray());
                }
            }
        }
        Lora lora = Lora.create(LLAMA, new LoraConfig(4, 8, null), policy.manager(), 3);
        policy.attach(lora, base);
        io.spin.core.TestPolicies.randomiseB(lora, 9);
        policy.weightsChanged();
        return policy;
    }

    private static double largestDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    @Test
    void theLayersMatricesAreHeldInFloat16AndTheRestInFloat32() {
        try (Policy policy = adapted(DataType.FLOAT16, DataType.FLOAT32)) {
            assertEquals(DataType.FLOAT16, policy.baseType());
            int narrowed = 0;
            for (Pair<String, Parameter> p : policy.model().getParameters()) {
                DataType expected = layerMatrix(p) ? DataType.FLOAT16 : DataType.FLOAT32;
                assertEquals(expected, p.getValue().getArray().getDataType(), p.getKey());
                narrowed += expected == DataType.FLOAT16 ? 1 : 0;
            }
            assertEquals(2 * 4, narrowed, "qkv, attention output, gate-up and down in each of 2 layers");
            for (Pair<String, Parameter> p : policy.trainableParameters()) {
                assertEquals(DataType.FLOAT32, p.getValue().getArray().getDataType(), "adapter " + p.getKey());
            }
        }
    }

    @Test
    void logitsAreThoseOfTheRoundedFloat32Base() {
        try (Policy half = adapted(DataType.FLOAT16, DataType.FLOAT32); Policy rounded = adapted(DataType.FLOAT32, DataType.FLOAT32);
             Policy exact = Policy.create(LLAMA, FORMAT, 21, DataType.FLOAT32)) {
            float[] expected = io.spin.core.TestPolicies.logits(rounded, IDS);
            assertTrue(largestDifference(expected, io.spin.core.TestPolicies.logits(half, IDS)) <= 1e-5);
            // and the rounding itself is visible, so the comparison above is not vacuous
            Lora lora = Lora.create(LLAMA, new LoraConfig(4, 8, null), exact.manager(), 3);
            exact.attach(lora, DataType.FLOAT32);
            io.spin.core.TestPolicies.randomiseB(lora, 9);
            assertTrue(largestDifference(expected, io.spin.core.TestPolicies.logits(exact, IDS)) > 1e-5);
        }
    }

    @Test
    void spinTrainingOnTheHalfBaseIsTrainingOnTheRoundedBase() {
        try (Policy half = adapted(DataType.FLOAT16, DataType.FLOAT32); Policy rounded = adapted(DataType.FLOAT32, DataType.FLOAT32)) {
            List<TokenizedPair> pairs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                pairs.add(new TokenizedPair("p" + i, FORMAT.prompt("Define: word " + i, 64).ids(),
                        FORMAT.response("gloss".repeat(1 + i % 3), 64).ids(), FORMAT.response("other " + i, 64).ids()));
            }
            SpinConfig config = new SpinConfig(new TrainingConfig(1, 4, 1e-2, 0.0, 0.0, 1.0, 5), 0.1, LossType.SIGMOID, 0.5);
            List<StepMetrics> a = new SpinTrainer(config).train(half, pairs, SpinTrainer.referenceLogProbs(half, pairs, 4), TrainingListener.NONE);
            List<StepMetrics> b = new SpinTrainer(config).train(rounded, pairs, SpinTrainer.referenceLogProbs(rounded, pairs, 4), TrainingListener.NONE);
            assertEquals(b.size(), a.size());
            for (int s = 0; s < a.size(); s++) {
                assertEquals(b.get(s).loss(), a.get(s).loss(), 1e-5, "loss of step " + s);
                assertEquals(b.get(s).gradNorm(), a.get(s).gradNorm(), 1e-4 * Math.max(1, b.get(s).gradNorm()), "gradient norm of step " + s);
            }
            for (Pair<String, Parameter> p : rounded.trainableParameters()) {
                float[] expected = p.getValue().getArray().toFloatArray();
                float[] actual = half.trainableParameters().get(p.getKey()).getArray().toFloatArray();
                assertTrue(largestDifference(expected, actual) <= 1e-5, p.getKey());
            }
            assertEquals(DataType.FLOAT16, half.model().getParameters().get("01layer0_02qkv_weight").getArray().getDataType(),
                    "training leaves the base in 16 bits");
        }
    }

    @Test
    void float16SamplingReadsTheHalfBaseWithoutACopy() {
        try (Policy policy = adapted(DataType.FLOAT16, DataType.FLOAT16)) {
            Parameter qkv = policy.model().getParameters().get("01layer0_02qkv_weight");
            assertSame(qkv.getArray(), policy.samplingStore().getValue(qkv, Device.cpu(), false));
        }
    }

    @Test
    void theMergedExportOfAHalfBaseIsTheAdaptedModel() throws Exception {
        try (Policy policy = adapted(DataType.FLOAT16, DataType.FLOAT32)) {
            Path merged = tmp.resolve("merged");
            HfModels.save(policy, merged, TensorType.F32);
            try (Policy reloaded = HfModels.load(merged, PromptFormat.DEFAULT_TEMPLATE)) {
                assertTrue(largestDifference(io.spin.core.TestPolicies.logits(policy, IDS), io.spin.core.TestPolicies.logits(reloaded, IDS)) <= 1e-5);
            }
        }
    }

    @Test
    void aWeightBeyondFloat16sRangeIsRefusedByName() {
        try (Policy policy = Policy.create(LLAMA, FORMAT, 21, DataType.FLOAT32)) {
            NDArray down = policy.model().getParameters().get("02layer1_06down_weight").getArray();
            float[] values = down.toFloatArray();
            values[7] = 1e6f;
            down.set(values);
            Lora lora = Lora.create(LLAMA, new LoraConfig(4, 8, null), policy.manager(), 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policy.attach(lora, DataType.FLOAT16));
            assertTrue(e.getMessage().contains("02layer1_06down_weight") && e.getMessage().contains("SPIN_FROZEN_DTYPE=float32"), e.getMessage());
        }
    }
}
