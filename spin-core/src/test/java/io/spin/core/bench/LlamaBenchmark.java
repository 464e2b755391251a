package io.spin.core.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.hf.HfModels;
import io.spin.core.model.Policy;
import io.spin.core.text.HuggingFaceTokenizer;
import io.spin.core.text.JinjaChatTemplate;
import io.spin.core.train.LossType;
import io.spin.core.train.SpinConfig;
import io.spin.core.train.SpinTrainer;
import io.spin.core.train.TokenizedPair;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingListener;
import io.spin.data.hf.TensorType;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.PromptFormat;

/**
 * A Llama-family model of ~40M parameters (8 layers, width 512, 8 heads sharing 4 key/value heads, vocabulary 32,000,
 * tied embeddings) through the model core: one SPIN step (8 pairs, prompts and responses of 64 tokens each) and greedy
 * KV-cache sampling (8 prompts of 32 tokens, 64 new tokens each). Writes the model to the directory given, so
 * bench/hf/reference.py times the same model; prints "RESULT what value unit". Not a test: run through bench/hf/llama.
 */
public final class LlamaBenchmark {
    static final int PAIRS = 8;
    static final int PROMPT = 64;
    static final int RESPONSE = 64;
    static final int SAMPLE_PROMPT = 32;
    static final int NEW_TOKENS = 64;
    static final int REPEATS = 5;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path bpe = Path.of(args[1]);
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.load(bpe.resolve("tokenizer.json"), "<|im_end|>", "<|im_end|>", "<|endoftext|>");
        PromptFormat format = PromptFormat.chat(new JinjaChatTemplate(HfModels.chatTemplate(bpe), "", "<|im_end|>"), tokenizer);
        ModelConfig config = ModelConfig.llama(8, 512, 8, 4, 512, 32000, 1408, 500000.0, true);
        result("parameters", config.parameterCount() / 1e6, "M");
        try (Policy created = Policy.create(config, format, 1)) {
            HfModels.save(created, dir, TensorType.F32);
        }
        try (Policy policy = HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE)) {
            SplittableRandom random = new SplittableRandom(7);
            List<TokenizedPair> pairs = new ArrayList<>();
            for (int i = 0; i < PAIRS; i++) {
                pairs.add(new TokenizedPair("p" + i, tokens(random, PROMPT), tokens(random, RESPONSE), tokens(random, RESPONSE)));
            }
            double[][] reference = SpinTrainer.referenceLogProbs(policy, pairs, PAIRS);
            SpinTrainer trainer = new SpinTrainer(new SpinConfig(new TrainingConfig(1, PAIRS, 1e-6, 0.0, 0.0, 1.0, 1), 0.1, LossType.SIGMOID, 0));
            trainer.train(policy, pairs, reference, TrainingListener.NONE); // warm-up
            double[] step = new double[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
                long t = System.nanoTime();
                trainer.train(policy, pairs, reference, TrainingListener.NONE);
                step[r] = (System.nanoTime() - t) / 1e9;
            }
            result("spin_step_seconds_median", median(step), "s");
            // what a trainer holds: one model, its gradients and AdamW's two moments (the reference is log-probs, not a copy)
            result("peak_rss_after_spin_steps_mb", CoreBenchmark.peakRssMb(), "MB");
            List<SampleRequest> requests = new ArrayList<>();
            for (int i = 0; i < PAIRS; i++) {
                requests.add(new SampleRequest(tokens(random, SAMPLE_PROMPT), SamplingSettings.greedy(NEW_TOKENS), i));
            }
            Sampler sampler = new Sampler(true);
            sampler.sample(policy, requests.subList(0, 1)); // warm-up
            double[] sampling = new double[REPEATS];
            int generated = 0;
            for (int r = 0; r < REPEATS; r++) {
                long t = System.nanoTime();
                generated = sampler.sample(policy, requests).stream().mapToInt(s -> s.tokenCount()).sum();
                sampling[r] = (System.nanoTime() - t) / 1e9;
            }
            result("sample_seconds_median", median(sampling), "s");
            result("sample_tokens", generated, "tokens");
            result("matmul_gflops", matmulGflops(policy), "GFLOP/s");
        }
    }

    /** float32 2048 x 2048 matrix products through our engine: the machine's attainable rate, for utilisation. */
    private static double matmulGflops(Policy policy) {
        try (ai.djl.ndarray.NDManager m = policy.manager().newSubManager()) {
            ai.djl.ndarray.NDArray a = m.randomNormal(new ai.djl.ndarray.types.Shape(2048, 2048));
            a.matMul(a).close();
            double[] times = new double[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
                long t = System.nanoTime();
                a.matMul(a).toFloatArray(); // forces the product
                times[r] = (System.nanoTime() - t) / 1e9;
            }
            return 2.0 * 2048 * 2048 * 2048 / median(times) / 1e9;
        }
    }

    /** Token ids below the BPE tokenizer's specials, so none is EOS or padding. */
    private static int[] tokens(SplittableRandom random, int n) {
        int[] ids = new int[n];
        Arrays.setAll(ids, i -> random.nextInt(656));
        return ids;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    static void result(String what, double value, String unit) {
        System.out.printf("RESULT %s %.4f %s%n", what, value, unit);
    }
}
