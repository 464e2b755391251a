package io.spin.core.lora;

import io.spin.data.model.LoraConfig;
import static io.spin.core.TestPolicies.logits;
import static io.spin.core.TestPolicies.randomiseB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.spin.core.hf.HfModels;
import io.spin.core.model.Policy;
import io.spin.core.train.AdamW;
import io.spin.core.train.SftTrainer;
import io.spin.core.train.StepMetrics;
import io.spin.core.train.TokenizedExample;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingListener;
import io.spin.data.hf.SafeTensors;
import io.spin.data.hf.TensorType;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.PromptFormat;

/** LoRA with PEFT's semantics on the Llama family, each claim against an independent computation. */
class LoraTest {
    private static final ModelConfig LLAMA = ModelConfig.preset("llama-tiny"); // width 64, 4 heads, 2 kv heads, MLP 176
    private static final PromptFormat FORMAT = new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, new ByteTokenizer());

    @TempDir
    Path tmp;

    private static Policy policy() {
        return Policy.create(LLAMA, FORMAT, 21, DataType.FLOAT32);
    }

    private static double largestDifference(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    private static final int[] IDS = {256, 68, 101, 102, 105, 110, 101, 58, 32, 107, 101, 116};

    @Test
    void aFreshAdapterIsPeftsInitialisationAndLeavesTheModelUnchanged() {
        try (Policy policy = policy()) {
            float[] before = logits(policy, IDS);
            Lora lora = Lora.create(LLAMA, new LoraConfig(8, 16, null), policy.manager(), 3);
            policy.attach(lora);
            assertEquals(2 * 7 * 2, lora.parameters().size(), "A and B for 7 modules in 2 layers");
            NDArray a = lora.parameters().get("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight").getArray();
            assertEquals(new Shape(8, 176), a.getShape(), "A is (r, in): down_proj reads the MLP's 176 features");
            float bound = (float) (1 / Math.sqrt(176)); // kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(in), 1/sqrt(in))
            float largest = 0;
            for (float v : a.toFloatArray()) {
                largest = Math.max(largest, Math.abs(v));
            }
            assertTrue(largest <= bound && largest > 0.9f * bound, "A spans its bound " + bound + ": largest " + largest);
            NDArray b = lora.parameters().get("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight").getArray();
            assertEquals(new Shape(32, 8), b.getShape(), "B is (out, r): k_proj writes 2 kv heads x 16");
            assertEquals(0f, b.abs().sum().getFloat());
            assertArrayEquals(before, logits(policy, IDS), "B = 0: the same logits, bit for bit");
        }
    }

    @Test
    void theAdaptedModelIsTheMergedModelByPeftsFormula() throws Exception {
        try (Policy policy = policy()) {
            Lora lora = Lora.create(LLAMA, new LoraConfig(4, 12, List.of("q_proj", "v_proj", "up_proj", "down_proj")), policy.manager(), 5);
            policy.attach(lora);
            randomiseB(lora, 9);
            float[] adapted = logits(policy, IDS);
            Path merged = tmp.resolve("merged");
            HfModels.save(policy, merged, TensorType.F32);

            // PEFT's merge, computed here independently: W + (lora_alpha / r) B A, for one targeted module by hand
            Path base = tmp.resolve("base");
            try (Policy plain = policy()) {
                HfModels.save(plain, base, TensorType.F32);
            }
            String name = "model.layers.0.self_attn.v_proj.weight";
            float[] w = SafeTensors.open(base.resolve("model.safetensors")).floats(name);
            float[] aValues = lora.parameters().get("base_model.model." + name.replace(".weight", ".lora_A.weight")).getArray().toFloatArray();
            float[] bValues = lora.parameters().get("base_model.model." + name.replace(".weight", ".lora_B.weight")).getArray().toFloatArray();
            int in = 64;
            int out = 32;
            int r = 4;
            float[] expected = new float[out * in];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    double sum = 0;
                    for (int k = 0; k < r; k++) {
                        sum += bValues[o * r + k] * aValues[k * in + i];
                    }
                    expected[o * in + i] = (float) (w[o * in + i] + 12.0 / 4 * sum);
                }
            }
            assertTrue(largestDifference(expected, SafeTensors.open(merged.resolve("model.safetensors")).floats(name)) < 1e-6);
            String untargeted = "model.layers.0.self_attn.k_proj.weight";
            assertArrayEquals(SafeTensors.open(base.resolve("model.safetensors")).floats(untargeted),
                    SafeTensors.open(merged.resolve("model.safetensors")).floats(untargeted),
                    "an untargeted module is the base's");

            try (Policy reloaded = HfModels.load(merged, PromptFormat.DEFAULT_TEMPLATE)) {
                double worst = largestDifference(adapted, logits(reloaded, IDS));
                assertTrue(worst < 1e-4, "the merged export gives the adapted model's logits; largest difference " + worst);
            }
        }
    }

    @Test
    void thePeftLayoutRoundTripsAndNamesWhatItRefuses() throws Exception {
        try (Policy policy = policy()) {
            Lora lora = Lora.create(LLAMA, new LoraConfig(8, 16, null), policy.manager(), 3);
            policy.attach(lora);
            randomiseB(lora, 4);
            float[] adapted = logits(policy, IDS);
            Path dir = tmp.resolve("peft");
            HfModels.savePeft(policy, dir, "my-base", TensorType.F32);
            JsonNode config = new ObjectMapper().readTree(dir.resolve(HfModels.PEFT_CONFIG).toFile());
            assertEquals(8, config.path("r").asInt());
            assertEquals(16.0, config.path("lora_alpha").asDouble());
            assertEquals(7, config.path("target_modules").size());
            SafeTensors weights = SafeTensors.open(dir.resolve(HfModels.PEFT_WEIGHTS));
            assertArrayEquals(new long[] {176, 8}, weights.entries().get("base_model.model.model.layers.0.mlp.up_proj.lora_B.weight").shape());
            assertArrayEquals(new long[] {8, 64}, weights.entries().get("base_model.model.model.layers.1.self_attn.o_proj.lora_A.weight").shape());
            try (Policy again = policy()) {
                HfModels.loadPeft(again, dir);
                assertArrayEquals(adapted, logits(again, IDS));
            }
            java.nio.file.Files.writeString(dir.resolve(HfModels.PEFT_CONFIG),
                    java.nio.file.Files.readString(dir.resolve(HfModels.PEFT_CONFIG)).replace("\"use_rslora\" : false", "\"use_rslora\" : true"));
            try (Policy again = policy()) {
                assertTrue(assertThrows(IllegalArgumentException.class, () -> HfModels.loadPeft(again, dir)).getMessage()
                        .endsWith("'use_rslora' is true; SPIN implements plain LoRA"));
            }
        }
    }

    @Test
    void onlyTheAdaptersTrainAndTheBaseStaysFrozen() {
        try (Policy policy = policy()) {
            Map<String, float[]> base = new HashMap<>();
            for (Pair<String, Parameter> p : policy.model().getParameters()) {
                base.put(p.getKey(), p.getValue().getArray().toFloatArray());
            }
            Lora lora = Lora.create(LLAMA, new LoraConfig(8, 16, null), policy.manager(), 3);
            policy.attach(lora);
            List<TokenizedExample> data = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                data.add(new TokenizedExample("e" + i, FORMAT.prompt("Define: word " + i, 64).ids(), FORMAT.response("gloss " + i, 32).ids()));
            }
            AdamW optimizer = AdamW.defaults(0.0);
            List<StepMetrics> steps = new SftTrainer(new TrainingConfig(6, 4, 1e-2, 0, 0, 1, 1)).train(policy, data, optimizer, TrainingListener.NONE);
            assertTrue(steps.get(5).loss() < steps.get(0).loss(), "the adapters learn: " + steps.get(0).loss() + " -> " + steps.get(5).loss());
            for (Pair<String, Parameter> p : policy.model().getParameters()) {
                assertArrayEquals(base.get(p.getKey()), p.getValue().getArray().toFloatArray(), p.getKey() + " is frozen");
                assertFalse(p.getValue().getArray().hasGradient(), p.getKey() + " holds no gradient");
            }
            NDArray b = lora.parameters().get("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight").getArray();
            assertTrue(b.abs().sum().getFloat() > 0, "B moved from zero");
        }
    }

    @Test
    void loraIsRefusedWhereItCannotApply() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 16, List.of("c_attn"))).getMessage()
                .startsWith("LoRA target 'c_attn' is not one of"));
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(0, 16, null));
        try (Policy gpt = Policy.create(ModelConfig.preset("tiny"), FORMAT, 1, DataType.FLOAT32)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Lora.create(gpt.config(), new LoraConfig(4, 8, null), gpt.manager(), 1))
                    .getMessage().startsWith("LoRA needs a Llama-family model"));
        }
    }
}
