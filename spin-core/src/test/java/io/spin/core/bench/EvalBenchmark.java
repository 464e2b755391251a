package io.spin.core.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.spin.core.data.Encoding;
import io.spin.core.eval.Evaluator;
import io.spin.core.generate.BatchSampling;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Policy;
import io.spin.core.train.LogProbs;
import io.spin.core.train.SpinTrainer;
import io.spin.core.train.TokenizedPair;
import io.spin.data.Example;
import io.spin.data.JsonlDataset;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.PromptFormat;

/**
 * The parts of the trainer's eval of one SPIN iteration, on the demo's eval set and model preset (random weights, so
 * every response runs to the token limit), with the prompts sampled 16 and 64 at a time: sampling the eval pairs
 * (temperature 1), scoring both their sides or the samples only, and the evaluator's greedy responses. Rounds alternate
 * the two batch sizes; the first round warms the JIT and the engine.
 *   args: eval.jsonl preset rounds
 */
public final class EvalBenchmark {
    public static void main(String[] args) throws Exception {
        List<Example> eval = JsonlDataset.read(Path.of(args[0]));
        int rounds = Integer.parseInt(args[2]);
        try (Policy policy = Policy.create(ModelConfig.preset(args[1]), PromptFormat.DEFAULT_TEMPLATE, 7)) {
            Encoding.Encoded encoded = Encoding.encode(eval, policy.format(), 64, 80);
            List<String> human = eval.stream().map(Example::response).toList();
            SamplingSettings settings = new SamplingSettings(1.0, 1.0, 0, 72);
            for (int round = 0; round < rounds; round++) {
                for (int batch : new int[] {16, 64}) {
                    List<SampleRequest> requests = new ArrayList<>();
                    for (int i = 0; i < encoded.examples().size(); i++) {
                        requests.add(new SampleRequest(encoded.examples().get(i).prompt(), settings, i));
                    }
                    long t0 = System.nanoTime();
                    List<Sample> samples = new BatchSampling(batch).sampleAll(policy, requests);
                    long t1 = System.nanoTime();
                    List<TokenizedPair> pairs = new ArrayList<>();
                    for (int i = 0; i < samples.size(); i++) {
                        pairs.add(TokenizedPair.of("e" + i, encoded.examples().get(i), samples.get(i), policy.format(), 80));
                    }
                    SpinTrainer.referenceLogProbs(policy, pairs, 16);
                    long t2 = System.nanoTime();
                    LogProbs.of(policy, pairs.stream().map(TokenizedPair::prompt).toList(), pairs.stream().map(TokenizedPair::rejected).toList(), 16);
                    long t3 = System.nanoTime();
                    Evaluator evaluator = new Evaluator(16, batch, 72);
                    double[] logps = evaluator.humanLogProbs(policy, encoded.examples());
                    long t4 = System.nanoTime();
                    evaluator.evaluate(policy, encoded.examples(), human, logps);
                    long t5 = System.nanoTime();
                    System.out.printf("RESULT round %d sample-batch %d: eval pairs sampled %.2f s (%d tokens), scored both sides %.2f s,"
                                    + " samples only %.2f s; human responses scored %.2f s; greedy responses %.2f s%n", round, batch,
                            (t1 - t0) / 1e9, samples.stream().mapToInt(Sample::tokenCount).sum(), (t2 - t1) / 1e9, (t3 - t2) / 1e9,
                            (t4 - t3) / 1e9, (t5 - t4) / 1e9);
                }
            }
        }
    }
}
