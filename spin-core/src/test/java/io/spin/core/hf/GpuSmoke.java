package io.spin.core.hf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Compute;
import io.spin.core.model.Policy;
import io.spin.core.train.LossType;
import io.spin.core.train.SpinConfig;
import io.spin.core.train.SpinTrainer;
import io.spin.core.train.StepMetrics;
import io.spin.core.train.TokenizedPair;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingListener;
import io.spin.data.hf.HfConfig;
import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.PromptFormat;
import io.spin.data.model.LoraConfig;
import io.spin.data.model.ModelConfig;
import io.spin.core.lora.Lora;
import io.spin.core.model.HalfPrecisionTest;
import ai.djl.ndarray.types.DataType;

/**
 * The GPU smoke check (bench/gpu/smoke): on the device SPIN_DEVICE chooses, a Llama-family model (GQA, untied) gives
 * the plain-loop reference's logits, one SPIN step runs with a finite loss, sampling in the SPIN_SAMPLING_DTYPE
 * precision returns tokens, a left-padded batch of unequal prompts in float16 gives float32's logits (no NaN), and, on
 * a GPU (or with --large), a LoRA SPIN step at Qwen2.5-0.5B's shape runs, reporting its time, tokens/s and memory.
 * Exit 0 and "PASS" when all hold, 1 on a failed check, 2 when the device is not a GPU and --allow-cpu was not given.
 */
public final class GpuSmoke {
    public static void main(String[] args) throws Exception {
        Compute compute = Compute.current();
        System.out.println("device " + compute.device() + ", sampling in " + compute.samplingType());
        if (!compute.device().isGpu() && !List.of(args).contains("--allow-cpu")) {
            System.out.println("SKIP: no GPU chosen (set SPIN_DEVICE=gpu on a machine with a GPU, built with mvn -Pcuda)");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("spin-gpu-smoke-");
        Map<String, float[]> weights = LlamaModelsTest.writeModel(dir, LlamaModelsTest.LLAMA, 17);
        int[] ids = {1, 7, 14, 12, 9, 15, 2, 4, 20, 21, 5, 6};
        double[][] expected = new ReferenceLlama(weights, HfConfig.read(dir.resolve("config.json"))).logits(ids);
        try (Policy policy = HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE)) {
            double worst = LlamaModelsTest.largestDifference(LlamaModelsTest.logits(policy, ids), expected);
            // GPUs may multiply float32 in TF32: a looser bound than the CPU tests' 1e-4
            check(worst < 1e-2, "logits within 1e-2 of the reference (largest difference " + worst + ")");
            List<TokenizedPair> pairs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                pairs.add(new TokenizedPair("p" + i, new int[] {1, 7 + i, 14}, new int[] {9, 15, 2}, new int[] {20 + i, 2}));
            }
            double[][] reference = SpinTrainer.referenceLogProbs(policy, pairs, 4);
            List<StepMetrics> steps = new SpinTrainer(new SpinConfig(new TrainingConfig(1, 4, 1e-4, 0, 0, 1, 1), 0.1, LossType.SIGMOID, 0))
                    .train(policy, pairs, reference, TrainingListener.NONE);
            check(steps.size() == 1 && Double.isFinite(steps.get(0).loss()), "one SPIN step, loss " + steps.get(0).loss());
            Sample sample = new Sampler(true).sample(policy, List.of(new SampleRequest(new int[] {1, 7, 14}, new SamplingSettings(1, 1, 0, 16), 3)))
                    .get(0);
            check(sample.tokenCount() > 0, "sampled " + sample.tokenCount() + " tokens in " + compute.samplingType());
        }
        paddedHalfPrecision();
        if (compute.device().isGpu() || List.of(args).contains("--large")) {
            loraStepAtHalfABillion();
        }
        System.out.println("PASS");
    }

    /** A padded batch of unequal prompts through the float16 sampling copy against float32: finite, and close. */
    private static void paddedHalfPrecision() {
        ModelConfig config = ModelConfig.preset("llama-tiny");
        PromptFormat format = new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, new ByteTokenizer());
        try (Policy full = Policy.create(config, format, 41, DataType.FLOAT32); Policy half = Policy.create(config, format, 41, DataType.FLOAT16)) {
            List<int[]> prompts = List.of(format.prompt("Define: lighthouse", 96).ids(), format.prompt("x", 96).ids(),
                    format.prompt("Define: the smallest unit of a chemical element", 96).ids());
            float[][] a = HalfPrecisionTest.paddedLogits(half, prompts);
            float[][] b = HalfPrecisionTest.paddedLogits(full, prompts);
            double worst = 0;
            boolean finite = true;
            for (int r = 0; r < a.length; r++) {
                for (int i = 0; i < a[r].length; i++) {
                    finite &= Float.isFinite(a[r][i]);
                    worst = Math.max(worst, Math.abs(a[r][i] - b[r][i]));
                }
            }
            check(finite, "padded float16 batch of unequal prompts: every logit finite");
            check(worst < 2e-2, "padded float16 logits within 2e-2 of float32 (largest difference " + worst + ")");
        }
    }

    /** One LoRA (r 8, every projection) SPIN step of 4 pairs x (64 + 64) tokens on a random model of Qwen2.5-0.5B's shape. */
    private static void loraStepAtHalfABillion() throws Exception {
        ModelConfig config = ModelConfig.llama(24, 896, 14, 2, 32768, 151936, 4864, 1000000.0, true);
        try (Policy policy = Policy.create(config, new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, new ByteTokenizer()), 1)) {
            policy.attach(Lora.create(config, new LoraConfig(8, 16, null), policy.manager(), 1));
            java.util.SplittableRandom random = new java.util.SplittableRandom(3);
            List<TokenizedPair> pairs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                pairs.add(new TokenizedPair("p" + i, random.ints(64, 0, 256).toArray(), random.ints(64, 0, 256).toArray(),
                        random.ints(64, 0, 256).toArray()));
            }
            double[][] reference = SpinTrainer.referenceLogProbs(policy, pairs, 4);
            SpinTrainer trainer = new SpinTrainer(new SpinConfig(new TrainingConfig(1, 4, 1e-4, 0, 0, 1, 1), 0.1, LossType.SIGMOID, 0));
            long start = System.nanoTime();
            List<StepMetrics> steps = trainer.train(policy, pairs, reference, TrainingListener.NONE);
            double seconds = (System.nanoTime() - start) / 1e9 / steps.size();
            check(steps.stream().allMatch(s -> Double.isFinite(s.loss())), "LoRA SPIN steps at " + Math.round(config.parameterCount() / 1e6)
                    + "M parameters, frozen base in " + policy.baseType() + " (SPIN_FROZEN_DTYPE): "
                    + String.format("%.2f s/step, %.0f tokens/s", seconds, 4 * 3 * 64 / seconds));
            System.out.println("info peak RSS " + Math.round(io.spin.core.bench.CoreBenchmark.peakRssMb()) + " MB (host; GPU memory: nvidia-smi)");
        }
    }

    private static void check(boolean ok, String what) {
        System.out.println((ok ? "ok   " : "FAIL ") + what);
        if (!ok) {
            System.exit(1);
        }
    }
}
