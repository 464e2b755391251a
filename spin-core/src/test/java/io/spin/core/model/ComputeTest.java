package io.spin.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.PromptFormat;

/** Device and precision settings, and float16 sampling (which libtorch also runs on the CPU, so it is checked here). */
class ComputeTest {
    @Test
    void settingsDefaultToTheGpuWithFloat16WhenThereIsOneAndFloat32OnTheCpu() {
        DataType f32 = DataType.FLOAT32;
        DataType f16 = DataType.FLOAT16;
        assertEquals(new Compute(Device.cpu(), f32, f32), Compute.of(null, null, 0));
        assertEquals(new Compute(Device.gpu(0), f16, f16), Compute.of("auto", null, 2));
        assertEquals(new Compute(Device.gpu(1), f32, f16), Compute.of("gpu:1", "float32", 2));
        assertEquals(new Compute(Device.cpu(), f16, f32), Compute.of("cpu", "float16", 1));
        assertEquals(new Compute(Device.cpu(), f32, f16), Compute.of("cpu", null, "float16", 0));
        assertEquals(new Compute(Device.gpu(0), f16, f32), Compute.of("gpu", null, "float32", 1));
    }

    @Test
    void badSettingsAreRefusedNamingTheVariable() {
        assertEquals("SPIN_DEVICE=gpu but the PyTorch engine sees 0 GPU(s) (is this a build with CUDA natives, mvn -Pcuda, on a machine with"
                + " a GPU and its driver?)", assertThrows(IllegalArgumentException.class, () -> Compute.of("gpu", null, 0)).getMessage());
        assertEquals("SPIN_DEVICE='tpu' is not auto, cpu, gpu or gpu:N",
                assertThrows(IllegalArgumentException.class, () -> Compute.of("tpu", null, 0)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Compute.of("gpu", "bfloat16", 1)).getMessage()
                .startsWith("SPIN_SAMPLING_DTYPE=bfloat16 is not offered: DJL 0.36's PyTorch binding aborts"));
        assertEquals("SPIN_SAMPLING_DTYPE='fp8' is not float32 or float16",
                assertThrows(IllegalArgumentException.class, () -> Compute.of("cpu", "fp8", 0)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Compute.of("gpu", null, "bfloat16", 1)).getMessage()
                .startsWith("SPIN_FROZEN_DTYPE=bfloat16 is not offered: DJL 0.36's PyTorch binding aborts"));
        assertEquals("SPIN_FROZEN_DTYPE='int8' is not float32 or float16",
                assertThrows(IllegalArgumentException.class, () -> Compute.of("cpu", null, "int8", 0)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "tiny"})
    void float16SamplingWeightsGiveTheFloat32LogitsToHalfPrecisionWithAndWithoutTheCache(String preset) {
        try (Policy policy = Policy.create(ModelConfig.preset(preset), PromptFormat.DEFAULT_TEMPLATE, 4);
             NDManager m = policy.manager().newSubManager()) {
            SamplingParameterStore half = new SamplingParameterStore(policy.manager(), DataType.FLOAT16);
            long[] ids = {1, 40, 50, 60, 70, 80, 90, 100};
            long[] positions = {0, 1, 2, 3, 4, 5, 6, 7};
            NDArray tokens = m.create(ids, new Shape(1, 8));
            NDArray pos = m.create(positions, new Shape(1, 8));
            NDArray exact = policy.model().forward(policy.parameterStore(), tokens, pos, Masks.causal(m, 8), null, false);
            NDArray low = policy.model().forward(half, tokens, pos, Masks.causal(m, 8), null, false);
            assertEquals(DataType.FLOAT32, low.getDataType(), "logits come back as float32");
            float worst = exact.sub(low).abs().max().getFloat();
            float scale = exact.abs().max().getFloat();
            assertTrue(worst < 0.01f * scale, preset + ": float16 logits differ by " + worst + " of " + scale);
            assertTrue(worst > 0, "the copy really is float16");
            try (KvCache cache = new KvCache(policy.config().layers())) {
                policy.model().forward(half, tokens.get(":, :7"), pos.get(":, :7"), Masks.causal(m, 7), cache, false);
                NDArray last = policy.model().forward(half, tokens.get(":, 7:"), pos.get(":, 7:"),
                        Masks.causalWithPadding(m, new int[] {0}, 1, 8), cache, false);
                assertEquals(low.get(":, 7:").sub(last).abs().max().getFloat(), 0f, 0.02f * scale, "the cache holds float16 keys and values");
            }
            assertThrows(IllegalStateException.class, () -> policy.model().forward(half, tokens, pos, Masks.causal(m, 8), null, true));
        }
    }
}
