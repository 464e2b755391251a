package io.spin.trainer;

import java.util.List;
import java.util.Map;

import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.RunConfig;
import io.spin.contract.TrainingMetrics;
import io.spin.core.data.Encoding;
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
            RunEval evals = new RunEval(context, runId, c);
            RunEval.Eval eval = evals.of(policy);
            clock.charge(StageClock.Stage.EVAL);
            CheckpointRef checkpoint = context.save(policy, runId, 0, base,
                    Map.of("stage", "sft", "epochs", c.getSftEpochs(), "learningRate", c.getSftLearningRate(),
                            "truncatedPrompts", encoded.truncatedPrompts(), "truncatedResponses", encoded.truncatedResponses()),
                    Metrics.asMap(metrics, RunEval.Eval.metrics(eval)));
            clock.charge(StageClock.Stage.UPLOAD);
            context.warm().keep(checkpoint.getManifestSha256(), policy); // pi_0: iteration 0's start
            kept = true;
            evals.keepHumanLogProbs(0, checkpoint, eval);
            context.reports().publish(context.events().of(runId, CheckpointReady.newBuilder().setIteration(-1).setParent(base)
                    .setCheckpoint(checkpoint).setTraining(metrics).setEval(RunEval.Eval.metrics(eval)).setTimings(clock.timings()).build()));
            // iteration 0's eval pairs sample pi_0: prepared now, while its generation runs, not on its critical path
            if (context.evalDuringNextIteration()) {
                evals.preparePairs(0, policy, checkpoint, eval);
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
}
