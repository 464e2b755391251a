package io.spin.trainer;

import java.util.List;
import java.util.Map;

import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.EvalMetrics;
import io.spin.contract.RunConfig;
import io.spin.contract.TrainingMetrics;
import io.spin.core.data.Encoding;
import io.spin.data.Example;
import io.spin.core.eval.Evaluator;
import io.spin.data.model.ModelConfig;
import io.spin.core.model.Policy;
import io.spin.data.text.PromptFormat;
import io.spin.core.train.AdamW;
import io.spin.core.train.SftTrainer;
import io.spin.core.train.StepMetrics;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingSummary;

/** The SFT stage: a fresh model of the run's preset, or its base model, fine-tuned on the human responses, becomes pi_0. */
final class SftJob {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(SftJob.class);
    private final JobContext context;

    SftJob(JobContext context) {
        this.context = context;
    }

    void run(String runId) throws Exception {
        StageClock clock = new StageClock();
        RunConfig c = context.state().run(runId).config;
        CheckpointRef base = c.getBaseModel();
        String baseSha = base == null ? null : base.getManifestSha256();
        JobContext.Resume resume = context.resume(runId, 0, baseSha);
        Policy policy = resume != null ? resume.policy() : start(c);
        boolean kept = false;
        try {
            checkContext(policy, c, "the model's context");
            context.attachLora(policy, c, runId);
            // streamed from the dataset's copy: only the (truncated) token ids are held
            Encoding.Encoder encoder = new Encoding.Encoder(policy.format(), c.getMaxPromptTokens(), c.getMaxResponseTokens());
            context.data().forEach(c.getTrainDataset(), c.getTrainDatasetId(), c.getTrainPromptCount(), encoder);
            Encoding.Encoded encoded = encoder.encoded();
            TrainingConfig training = new TrainingConfig(c.getSftEpochs(), c.getBatchSize(), c.getSftLearningRate(), c.getWarmupRatio(),
                    0.0, 1.0, c.getSeed(), c.getMicroBatch(), c.getCheckpointLayers());
            clock.charge(StageClock.Stage.LOAD);
            List<StepMetrics> history;
            try (AdamW optimizer = resume != null ? resume.optimizer() : AdamW.defaults(0.0)) { // freed: the policy stays warm
                history = new SftTrainer(training).train(policy, encoded.examples(), optimizer,
                        context.progress(runId, -1, 0, baseSha, policy, optimizer), resume == null ? 0 : resume.step());
            }
            TrainingMetrics metrics = Metrics.training(TrainingSummary.of(history), false, List.of());
            clock.charge(StageClock.Stage.TRAIN);
            Eval eval = evaluate(context, policy, c, null, null);
            clock.charge(StageClock.Stage.EVAL);
            CheckpointRef checkpoint = context.save(policy, runId, 0, base,
                    Map.of("stage", "sft", "epochs", c.getSftEpochs(), "learningRate", c.getSftLearningRate(),
                            "truncatedPrompts", encoded.truncatedPrompts(), "truncatedResponses", encoded.truncatedResponses()),
                    Metrics.asMap(metrics, Eval.metrics(eval)));
            clock.charge(StageClock.Stage.UPLOAD);
            context.warm().keep(checkpoint.getManifestSha256(), policy); // pi_0: iteration 0's start
            kept = true;
            SpinJob.keepHumanLogProbs(context, runId, 0, checkpoint, eval);
            context.reports().publish(context.events().of(runId, CheckpointReady.newBuilder().setIteration(-1).setParent(base)
                    .setCheckpoint(checkpoint).setTraining(metrics).setEval(Eval.metrics(eval)).setTimings(clock.timings()).build()));
            // iteration 0's eval pairs sample pi_0: prepared now, while its generation runs, not on its critical path
            if (context.evalDuringNextIteration()) {
                SpinJob.prepareEvalPairs(context, runId, 0, policy, checkpoint, c);
            }
        } finally {
            if (!kept) {
                policy.close();
            }
        }
    }

    /** An imported model may hold fewer positions than the preset the run was checked against: refuse, naming both. */
    static void checkContext(Policy policy, RunConfig c, String what) {
        int positions = policy.config().contextLength();
        if (c.getMaxPromptTokens() + c.getMaxResponseTokens() > positions) {
            throw new IllegalStateException("maxPromptTokens " + c.getMaxPromptTokens() + " + maxResponseTokens " + c.getMaxResponseTokens()
                    + " exceed " + what + " (" + positions + " tokens)");
        }
    }

    /** The model SFT starts from: the run's base model (an imported one, say), or a fresh one of its preset. */
    private Policy start(RunConfig c) throws java.io.IOException {
        if (c.getBaseModel() != null) {
            return context.checkpoints().load(c.getBaseModel().getUri(), c.getBaseModel().getManifestSha256());
        }
        return Policy.create(ModelConfig.preset(c.getModelPreset()), PromptFormat.DEFAULT_TEMPLATE, c.getSeed());
    }

    /** Sequences per forward pass outside training too (reference log-probs, eval): the micro-batch when one is set. */
    static int passSize(RunConfig c) {
        return c.getMicroBatch() > 0 ? Math.min(c.getMicroBatch(), c.getBatchSize()) : c.getBatchSize();
    }

    /** An eval's metrics, and the log-prob of each eval example's human response under the policy evaluated. */
    record Eval(EvalMetrics metrics, double[] humanLogProbs) {
        static EvalMetrics metrics(Eval eval) {
            return eval == null ? null : eval.metrics();
        }
    }

    /**
     * The policy's eval on the run's eval dataset, or null when the run has none; {@code humanLogProbs}, when the
     * caller has them (the eval pairs' pass under the same policy), saves the evaluator that pass.
     */
    static Eval evaluate(JobContext context, Policy policy, RunConfig c, Double rewardAccuracy, double[] humanLogProbs) {
        if (c.getEvalDatasetId() == null || c.getEvalPromptCount() == 0) {
            return null;
        }
        List<Example> eval = context.data().examples(c.getEvalDataset(), c.getEvalDatasetId(), c.getEvalPromptCount());
        Encoding.Encoded encoded = Encoding.encode(eval, policy.format(), c.getMaxPromptTokens(), c.getMaxResponseTokens());
        Evaluator evaluator = new Evaluator(passSize(c), context.sampleBatch(), c.getSampling().getMaxNewTokens());
        List<String> human = eval.stream().map(Example::response).toList();
        long start = System.nanoTime();
        boolean given = humanLogProbs != null && humanLogProbs.length == encoded.examples().size();
        double[] logps = given ? humanLogProbs : evaluator.humanLogProbs(policy, encoded.examples());
        long scored = System.nanoTime();
        Eval result = new Eval(Metrics.eval(evaluator.evaluate(policy, encoded.examples(), human, logps), rewardAccuracy), logps);
        LOG.infof("eval on %d prompts: human responses %s, greedy responses in %.1f s", eval.size(),
                given ? "scored with the eval pairs" : String.format("scored in %.1f s", (scored - start) / 1e9), (System.nanoTime() - scored) / 1e9);
        return result;
    }
}
