package io.spin.core.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.hf.HfModels;
import io.spin.core.model.Policy;
import io.spin.core.train.SftTrainer;
import io.spin.core.train.TokenizedExample;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingListener;
import io.spin.data.hf.HfImport;
import io.spin.data.hf.TensorType;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.PromptFormat;

/**
 * A model of GPT-2 small's shape (124M parameters, random weights: nothing can be downloaded here) through the Hugging
 * Face path: export as BF16 safetensors, import check with SHA-256 manifest, load into the model core, sample, and one
 * SFT step. Prints "RESULT &lt;what&gt; &lt;value&gt; &lt;unit&gt;" lines. Not a test: run through bench/hf/run.
 */
public final class HfBenchmark {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("spin-hf-bench-");
        ModelConfig gpt2Small = new ModelConfig(12, 768, 12, 1024, 50257, 3072, ModelConfig.GELU_TANH, 1e-5);
        long t = System.nanoTime();
        try (Policy created = Policy.create(gpt2Small, PromptFormat.DEFAULT_TEMPLATE, 1)) {
            result("parameters", gpt2Small.parameterCount() / 1e6, "M");
            result("create_seconds", seconds(t), "s");
            t = System.nanoTime();
            HfModels.save(created, dir, TensorType.BF16);
            result("export_bf16_seconds", seconds(t), "s");
            result("safetensors_megabytes", Files.size(dir.resolve("model.safetensors")) / 1e6, "MB");
        }
        t = System.nanoTime();
        HfImport.manifest(dir, HfImport.check(dir));
        result("import_check_and_sha256_seconds", seconds(t), "s");
        t = System.nanoTime();
        try (Policy policy = HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE)) {
            result("load_seconds", seconds(t), "s");
            List<SampleRequest> requests = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                requests.add(new SampleRequest(policy.format().prompt("Define: word number " + i, 64).ids(), new SamplingSettings(1.0, 1.0, 0, 32), i));
            }
            new Sampler(true).sample(policy, requests.subList(0, 1)); // warm-up
            t = System.nanoTime();
            int tokens = new Sampler(true).sample(policy, requests).stream().mapToInt(s -> s.tokenIds().length).sum();
            double s = seconds(t);
            result("sample_8x32_seconds", s, "s");
            result("sample_tokens_per_second", tokens / s, "tokens/s");
            List<TokenizedExample> examples = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                examples.add(new TokenizedExample("e" + i, policy.format().prompt("Define: word " + i, 64).ids(),
                        policy.format().response("a sequence of letters with a meaning, number " + i, 64).ids()));
            }
            t = System.nanoTime();
            new SftTrainer(new TrainingConfig(1, 4, 1e-5, 0.0, 0.0, 1.0, 1)).train(policy, examples, TrainingListener.NONE);
            result("sft_step_batch4_seconds", seconds(t), "s");
        }
        result("peak_rss_megabytes", peakRss(), "MB");
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void result(String what, double value, String unit) {
        System.out.printf("RESULT %s %.2f %s%n", what, value, unit);
    }

    private static double peakRss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return -1;
    }
}
