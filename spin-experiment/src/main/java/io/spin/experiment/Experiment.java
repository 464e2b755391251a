package io.spin.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.data.Encoding;
import io.spin.data.Example;
import io.spin.data.JsonlDataset;
import io.spin.core.eval.Evaluator;
import io.spin.core.hf.HfModels;
import io.spin.data.model.ModelConfig;
import io.spin.core.model.Policy;
import io.spin.data.text.PromptFormat;
import io.spin.core.train.AdamW;
import io.spin.core.train.SftTrainer;
import io.spin.core.train.SpinConfig;
import io.spin.core.train.SpinTrainer;
import io.spin.core.train.StepMetrics;
import io.spin.core.train.TokenizedExample;
import io.spin.core.train.TokenizedPair;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingListener;
import io.spin.core.train.TrainingSummary;

/**
 * Runs, on the same data and seeds: (a) SFT from scratch to pi_0; (b) for every arm of the grid, SPIN iterations from
 * pi_0; (c) continued SFT from pi_0 with, round for round, the same optimizer steps, sequences, learning rate and
 * schedule as SPIN used; and evaluates every model on the eval set. All training is spin-core's, as in the services.
 */
public final class Experiment {
    private final ExperimentSettings s;
    private final PrintStream progress;
    private final Evaluator evaluator;

    public Experiment(ExperimentSettings settings, PrintStream progress) {
        this.s = settings;
        this.progress = progress;
        this.evaluator = new Evaluator(Math.max(8, settings.batchSize()), settings.maxNewTokens());
    }

    public ExperimentResult run(Path workDir) throws IOException {
        List<Example> trainExamples = JsonlDataset.read(s.trainFile());
        List<Example> evalExamples = JsonlDataset.read(s.evalFile());
        Path pi0 = workDir.resolve("pi_0");
        ExperimentResult.Stage sft;
        List<TokenizedExample> train;
        List<TokenizedExample> eval;
        try (Policy policy = s.baseModel() != null ? HfModels.load(s.baseModel(), PromptFormat.DEFAULT_TEMPLATE)
                : Policy.create(ModelConfig.preset(s.modelPreset()), PromptFormat.DEFAULT_TEMPLATE, s.seed())) {
            train = Encoding.encode(trainExamples, policy.format(), s.maxPromptTokens(), s.maxResponseTokens()).examples();
            eval = Encoding.encode(evalExamples, policy.format(), s.maxPromptTokens(), s.maxResponseTokens()).examples();
            progress.printf("SFT -> pi_0: %s, %d train prompts, %d epochs%n",
                    s.baseModel() != null ? "from " + s.baseModel() : s.modelPreset() + " model", train.size(), s.sftEpochs());
            TrainingConfig config = new TrainingConfig(s.sftEpochs(), s.batchSize(), s.sftLearningRate(), 0.1, 0.0, 1.0, s.seed(), s.microBatch(), s.checkpointLayers());
            List<StepMetrics> history = new SftTrainer(config).train(policy, train, steps("SFT"));
            sft = stage(0, history, 1, policy, eval, evalExamples, null);
            CheckpointFiles.save(policy, null, pi0, "pi_0", null, Map.of(), Map.of());
        }
        List<String> humanTexts = trainExamples.stream().map(Example::response).toList();
        List<ExperimentResult.Arm> spin = new ArrayList<>();
        for (ExperimentSettings.Arm arm : s.arms()) {
            spin.add(spinArm(arm, pi0, train, humanTexts, eval, evalExamples));
        }
        List<ExperimentResult.Arm> baselines = new ArrayList<>();
        for (double lr : s.learningRates()) {
            baselines.add(continuedSft(lr, pi0, train, eval, evalExamples));
        }
        return new ExperimentResult(s, train.size(), eval.size(), sft, spin, baselines);
    }

    private ExperimentResult.Arm spinArm(ExperimentSettings.Arm arm, Path pi0, List<TokenizedExample> train, List<String> humanTexts,
                                         List<TokenizedExample> eval, List<Example> evalExamples) throws IOException {
        List<ExperimentResult.Stage> stages = new ArrayList<>();
        Map<Integer, List<TokenizedPair>> pairsByIteration = new LinkedHashMap<>();
        try (Policy policy = start(pi0)) {
            for (int t = 0; t < s.iterations(); t++) {
                progress.printf("%s: iteration %d/%d, pi_%d samples %d responses%n", arm.label(), t + 1, s.iterations(), t,
                        train.size() * s.samplesPerPrompt());
                SelfPlay.Generated generated = SelfPlay.pairs(policy, train, humanTexts, s, t);
                pairsByIteration.put(t, generated.pairs());
                List<TokenizedPair> window = new ArrayList<>();
                for (int i = Math.max(0, t - s.window() + 1); i <= t; i++) {
                    window.addAll(pairsByIteration.get(i));
                }
                pairsByIteration.remove(t - s.window() + 1); // out of the next iteration's window
                double[][] reference = SpinTrainer.referenceLogProbs(policy, window, s.batchSize());
                SpinConfig config = new SpinConfig(spinTraining(arm.learningRate(), t), arm.beta(), s.loss(), arm.nllCoefficient());
                List<StepMetrics> history;
                try (AdamW optimizer = AdamW.defaults(0.0)) {
                    history = new SpinTrainer(config).train(policy, window, reference, optimizer, steps("pi_" + (t + 1)));
                }
                stages.add(stage(t + 1, history, 2, policy, eval, evalExamples, generated));
            }
        }
        return new ExperimentResult.Arm(arm.label(), arm.beta(), arm.learningRate(), arm.nllCoefficient(), stages);
    }

    /**
     * Round t trains on the human responses only, each repeated 2 x (pairs per prompt of SPIN iteration t) times,
     * in batches twice SPIN's: the same steps, sequences and schedule as SPIN iteration t, without self-play.
     */
    private ExperimentResult.Arm continuedSft(double lr, Path pi0, List<TokenizedExample> train, List<TokenizedExample> eval,
                                              List<Example> evalExamples) throws IOException {
        String label = "continued SFT lr=" + lr;
        List<ExperimentResult.Stage> stages = new ArrayList<>();
        try (Policy policy = start(pi0)) {
            for (int t = 0; t < s.iterations(); t++) {
                progress.printf("%s: round %d/%d%n", label, t + 1, s.iterations());
                int copies = 2 * s.pairsAt(t, train.size()) / train.size();
                List<TokenizedExample> repeated = new ArrayList<>(train.size() * copies);
                for (TokenizedExample e : train) {
                    for (int c = 0; c < copies; c++) {
                        repeated.add(e);
                    }
                }
                TrainingConfig base = spinTraining(lr, t);
                TrainingConfig config = new TrainingConfig(base.epochs(), 2 * base.batchSize(), lr, base.warmupRatio(), base.weightDecay(),
                        base.maxGradNorm(), base.seed());
                List<StepMetrics> history = new SftTrainer(config).train(policy, repeated, steps("SFT round " + (t + 1)));
                stages.add(stage(t + 1, history, 1, policy, eval, evalExamples, null));
            }
        }
        return new ExperimentResult.Arm(label, null, lr, 0, stages);
    }

    /** The trainer service's settings for SPIN iteration t (same warm-up, clipping, no weight decay, seed + t + 1). */
    /** pi_0 as every arm starts from it: with fresh LoRA adapters (the same for every arm) when the experiment uses LoRA. */
    private Policy start(Path pi0) throws IOException {
        Policy policy = CheckpointFiles.load(pi0, null);
        if (s.lora() != null) {
            try {
                policy.attach(io.spin.core.lora.Lora.create(policy.config(), s.lora(), policy.manager(), s.seed()));
            } catch (RuntimeException e) {
                policy.close();
                throw e;
            }
        }
        return policy;
    }

    private TrainingConfig spinTraining(double lr, int t) {
        return new TrainingConfig(s.epochs(), s.batchSize(), lr, 0.1, 0.0, 1.0, s.seed() + t + 1, s.microBatch(), s.checkpointLayers());
    }

    private ExperimentResult.Stage stage(int iteration, List<StepMetrics> history, int sequencesPerExample, Policy policy,
                                         List<TokenizedExample> eval, List<Example> evalExamples, SelfPlay.Generated generated) {
        TrainingSummary training = TrainingSummary.of(history);
        Evaluator.Result result = evaluator.evaluate(policy, eval, evalExamples.stream().map(Example::response).toList());
        progress.printf("  eval: human logp/token %.4f, exact match %.3f, similarity %.3f%n", result.humanLogpPerToken(),
                result.exactMatchRate(), result.meanSimilarity());
        return new ExperimentResult.Stage(iteration, training.steps(), training.sequences() * sequencesPerExample, training, result,
                generated == null ? null : generated.exactMatchRate(), generated == null ? null : generated.meanSimilarity());
    }

    private TrainingListener steps(String what) {
        return m -> {
            if (m.step() % 10 == 0 || m.step() == m.totalSteps()) {
                progress.printf("  %s step %d/%d loss %.4f%n", what, m.step(), m.totalSteps(), m.loss());
            }
        };
    }
}
