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
import io.spin.data.text.PromptFormat;

/**
 * The GPU smoke check (bench/gpu/smoke): on the device SPIN_DEVICE chooses, a Llama-family model (GQA, untied) gives
 * the plain-loop reference's logits, one SPIN step runs with a finite loss, and sampling in the SPIN_SAMPLING_DTYPE
 * precision returns tokens. Exit 0 and "PASS" when all hold, 1 on a failed check, 2 when the device is not a GPU and
 * --allow-cpu was not given.
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
        System.out.println("PASS");
    }

    private static void check(boolean ok, String what) {
        System.out.println((ok ? "ok   " : "FAIL ") + what);
        if (!ok) {
            System.exit(1);
        }
    }
}
