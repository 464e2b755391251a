package io.spin.core.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.ndarray.types.DataType;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.lora.Lora;
import io.spin.core.model.Policy;
import io.spin.core.train.AdamW;
import io.spin.core.train.LossType;
import io.spin.core.train.SpinConfig;
import io.spin.core.train.SpinTrainer;
import io.spin.core.train.TokenizedPair;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingListener;
import io.spin.data.model.LoraConfig;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.PromptFormat;

/**
 * What one SPIN trainer holds, full fine-tuning against LoRA, on a random model of Qwen2.5-0.5B's shape (24 layers,
 * width 896, 14 heads sharing 2 key/value heads, MLP 4864, vocabulary 151,936, tied embeddings: 494M parameters):
 * SPIN steps of 4 pairs (prompts and responses of 64 tokens), peak RSS, median step time, and the bytes one iteration's
 * checkpoint stores. One mode per JVM, so each peak is its own: {@code LoraBenchmark full|lora|lora16 [rank [microBatch
 * [checkpointLayers]]]}, lora16 holding the frozen base in float16 (which checkpoints every layer). Besides the process's
 * peak RSS it reports the peak of the training alone (the kernel's high-water mark reset after loading), since a
 * 16-bit base is made from a float32 one. Prints "RESULT what value unit". Not a test: run through bench/lora/run.
 */
public final class LoraBenchmark {
    static final int PAIRS = 4;
    static final int TOKENS = 64;
    static final int STEPS = 3;

    public static void main(String[] args) throws Exception {
        boolean lora = args[0].startsWith("lora");
        DataType base = args[0].equals("lora16") ? DataType.FLOAT16 : DataType.FLOAT32;
        int rank = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int microBatch = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        boolean checkpointLayers = args.length > 3 && (args[3].equals("1") || args[3].equals("true"));
        ModelConfig config = ModelConfig.llama(24, 896, 14, 2, 32768, 151936, 4864, 1000000.0, true);
        LlamaBenchmark.result("parameters", config.parameterCount() / 1e6, "M");
        Path dir = Files.createTempDirectory("spin-lora-bench-");
        try (Policy policy = Policy.create(config, new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, new ByteTokenizer()), 1, DataType.FLOAT32)) {
            if (lora) {
                policy.storedAs(new Policy.StoredModel("s3://bench/base/", "0".repeat(64))); // adapters name their base
                policy.attach(Lora.create(config, new LoraConfig(rank, 2.0 * rank, null), policy.manager(), 1), base);
            }
            long trainable = 0;
            for (var p : policy.trainableParameters()) {
                trainable += p.getValue().getArray().size();
            }
            LlamaBenchmark.result("trainable_parameters", trainable / 1e6, "M");
            LlamaBenchmark.result("rss_after_load_mb", CoreBenchmark.rssMb(), "MB");
            LlamaBenchmark.result("load_peak_rss_mb", CoreBenchmark.peakRssMb(), "MB");
            CoreBenchmark.resetPeakRss();
            SplittableRandom random = new SplittableRandom(7);
            List<TokenizedPair> pairs = new ArrayList<>();
            for (int i = 0; i < PAIRS * STEPS; i++) {
                pairs.add(new TokenizedPair("p" + i, tokens(random, TOKENS), tokens(random, TOKENS), tokens(random, TOKENS)));
            }
            double[][] reference = SpinTrainer.referenceLogProbs(policy, pairs, microBatch > 0 ? microBatch : PAIRS);
            double[] seconds = new double[STEPS];
            long[] last = {System.nanoTime()};
            int[] at = {0};
            AdamW optimizer = AdamW.defaults(0.0);
            new SpinTrainer(new SpinConfig(new TrainingConfig(1, PAIRS, 1e-5, 0.0, 0.0, 1.0, 1, microBatch, checkpointLayers), 0.1, LossType.SIGMOID, 0))
                    .train(policy, pairs, reference, optimizer, step -> {
                        long now = System.nanoTime();
                        seconds[at[0]++] = (now - last[0]) / 1e9;
                        last[0] = now;
                    }, 0);
            LlamaBenchmark.result("spin_step_seconds_median", LlamaBenchmark.median(Arrays.copyOfRange(seconds, 1, STEPS)), "s");
            LlamaBenchmark.result("training_peak_rss_mb", CoreBenchmark.peakRssMb(), "MB");
            long bytes = 0;
            CheckpointFiles.save(policy, null, dir.resolve("checkpoint"), "bench", null, Map.of(), Map.of());
            try (var files = Files.list(dir.resolve("checkpoint"))) {
                for (Path f : files.toList()) {
                    bytes += Files.size(f);
                }
            }
            LlamaBenchmark.result("checkpoint_mb", bytes / 1e6, "MB");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static int[] tokens(SplittableRandom random, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextInt(256);
        }
        return ids;
    }

}
