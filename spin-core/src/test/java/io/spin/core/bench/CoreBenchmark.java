package io.spin.core.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.data.model.ModelConfig;
import io.spin.core.model.Policy;
import io.spin.data.text.PromptFormat;
import io.spin.core.train.LossType;
import io.spin.core.train.SftTrainer;
import io.spin.core.train.SpinConfig;
import io.spin.core.train.SpinTrainer;
import io.spin.core.train.TokenizedExample;
import io.spin.core.train.TokenizedPair;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingListener;

/**
 * The spin-core workloads of BENCHMARKS.md, mirrored shape for shape by bench/core/pytorch_baseline.py.
 * Prints "RESULT djl &lt;workload&gt; &lt;preset&gt; &lt;seconds&gt;" per measured round and the peak RSS; bench/core/run alternates
 * it with the PyTorch program and reports medians and ratios. Not a test: run through bench/core/run.
 */
public final class CoreBenchmark {
    static final int SEQ = 128;
    static final int PROMPT = 16;

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args.length > 0 ? args[0] : "5");
        List<String> presets = args.length > 1 ? List.of(args[1].split(",")) : List.of("tiny", "small");
        for (String preset : presets) {
            try (Policy policy = Policy.create(ModelConfig.preset(preset), PromptFormat.DEFAULT_TEMPLATE, 1)) {
                System.out.printf("PARAMS djl %s %d%n", preset, ModelConfig.preset(preset).parameterCount());
                Random random = new Random(7);
                List<TokenizedExample> sft = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    sft.add(new TokenizedExample("s" + i, tokens(random, PROMPT), tokens(random, SEQ - PROMPT)));
                }
                List<TokenizedPair> pairs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    pairs.add(new TokenizedPair("p" + i, tokens(random, PROMPT), tokens(random, SEQ - PROMPT), tokens(random, SEQ - PROMPT)));
                }
                double[][] reference = SpinTrainer.referenceLogProbs(policy, pairs, 8);
                SftTrainer sftTrainer = new SftTrainer(new TrainingConfig(1, 32, 1e-4, 0.0, 0.0, 1.0, 1));
                SpinTrainer spinTrainer = new SpinTrainer(new SpinConfig(new TrainingConfig(1, 8, 1e-6, 0.0, 0.0, 1.0, 1), 0.1,
                        LossType.SIGMOID, 0.0));
                List<SampleRequest> requests = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    requests.add(new SampleRequest(tokens(random, PROMPT), new SamplingSettings(1.0, 1.0, 0, 64), i));
                }
                for (int r = -2; r < rounds; r++) {
                    measure(r, "sft_step_32x128", preset, () -> sftTrainer.train(policy, sft, TrainingListener.NONE));
                    measure(r, "spin_step_8x128", preset, () -> spinTrainer.train(policy, pairs, reference, TrainingListener.NONE));
                    measure(r, "sample_16x64_kvcache", preset, () -> new Sampler(true).sample(policy, requests));
                    measure(r, "sample_16x64_nocache", preset, () -> new Sampler(false).sample(policy, requests));
                }
            }
        }
        System.out.printf("MATMUL djl gflops %.1f%n", matmulGflops());
        System.out.println("RSS djl peak_rss_mb all " + peakRssMb());
    }

    /** float32 2048^3 products through our engine (median of 5): the rate utilisation is measured against. */
    private static double matmulGflops() {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            ai.djl.ndarray.NDArray a = m.randomNormal(new ai.djl.ndarray.types.Shape(2048, 2048));
            a.matMul(a).close();
            double[] times = new double[5];
            for (int r = 0; r < times.length; r++) {
                long t = System.nanoTime();
                a.matMul(a).toFloatArray(); // forces the product
                times[r] = (System.nanoTime() - t) / 1e9;
            }
            java.util.Arrays.sort(times);
            return 2.0 * 2048 * 2048 * 2048 / times[times.length / 2] / 1e9;
        }
    }

    private static void measure(int round, String workload, String preset, Runnable work) {
        long start = System.nanoTime();
        work.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (round >= 0) { // negative rounds warm up
            System.out.printf("RESULT djl %s %s %.6f%n", workload, preset, seconds);
        }
    }

    /** Random byte tokens (never BOS/EOS/PAD), so no sequence ends early. */
    private static int[] tokens(Random random, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 32 + random.nextInt(90);
        }
        return ids;
    }

    /** The process's peak resident memory so far (VmHWM), MB. */
    public static double peakRssMb() throws Exception {
        return statusMb("VmHWM:");
    }

    /** The process's resident memory now (VmRSS), MB. */
    public static double rssMb() throws Exception {
        return statusMb("VmRSS:");
    }

    /** Starts the peak over from the current RSS (Linux: writing 5 to clear_refs resets VmHWM), so a phase has its own. */
    public static void resetPeakRss() throws Exception {
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    }

    private static double statusMb(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
