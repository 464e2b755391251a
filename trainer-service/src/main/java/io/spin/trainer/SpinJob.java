package io.spin.trainer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.spin.commons.PairSnapshot;
import io.spin.commons.SpinMeters;
import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.IterationStarted;
import io.spin.contract.PairsCompleted;
import io.spin.contract.RunConfig;
import io.spin.contract.TrainingMetrics;
import io.spin.core.model.Policy;
import io.spin.data.text.PromptFormat;
import io.spin.core.train.AdamW;
import io.spin.core.train.LossType;
import io.spin.core.train.SpinConfig;
import io.spin.core.train.SpinTrainer;
import io.spin.core.train.StepMetrics;
import io.spin.core.train.TokenizedPair;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingSummary;

/**
 * SPIN iteration t: pi_{t+1} trained from pi_t on the pairs of the window (iterations t-window+1 .. t), reference
 * = pi_t with its log-probs computed once before training, then uploaded with pi_t as its parent and evaluated.
 * <p>
 * With {@code spin.trainer.eval-during-next-iteration}, the eval of pi_{t+1} is off the iteration's critical path
 * unless t is the last iteration: CheckpointReady goes out first (the orchestrator starts iteration t+1's generation
 * on it), then pi_{t+1} is evaluated and the same CheckpointReady is reported again with its eval, while the
 * generators sample. The eval pairs of iteration t+1
 * (pi_{t+1}'s own samples of the eval prompts, and their log-probs under it) are prepared then too, and kept with the
 * warm policy. A trainer stopped in between leaves that iteration without eval in the report; nothing waits for it.
 */
final class SpinJob {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(SpinJob.class);
    private final JobContext context;

    SpinJob(JobContext context) {
        this.context = context;
    }

    void run(String runId, int t) throws Exception {
        StageClock clock = new StageClock();
        RunState run = context.state().run(runId);
        RunConfig c = run.config;
        IterationStarted started = run.iterations.get(t);
        Map<Integer, PairsCompleted> window = new LinkedHashMap<>();
        for (int i = Math.max(0, t - c.getWindow() + 1); i <= t; i++) {
            if (!run.pairs.containsKey(i)) {
                throw new IllegalStateException("iteration " + i + " of the training window has no completed pairs");
            }
            window.put(i, run.pairs.get(i));
        }
        List<PairSnapshot.Row> pairs = context.data().pairs(window);
        CheckpointRef parent = started.getPolicy();
        Policy policy = context.policy(parent);
        boolean kept = false;
        try {
            SftJob.checkContext(policy, c, "the context of " + parent.getUri());
            context.attachLora(policy, c, runId); // a whole pi_0 (sftCheckpoint) gets fresh adapters; pi_t's come with it
            PromptFormat format = policy.format();
            List<TokenizedPair> tokenized = new ArrayList<>();
            for (PairSnapshot.Row p : pairs) {
                tokenized.add(new TokenizedPair(p.iteration() + "/" + p.promptId() + "/" + p.sampleIndex(),
                        format.prompt(p.context(), p.prompt(), c.getMaxPromptTokens()).ids(),
                        format.response(p.chosen(), c.getMaxResponseTokens()).ids(),
                        rejected(p, format, c.getMaxResponseTokens())));
            }
            clock.charge(StageClock.Stage.LOAD);
            // reference log-probs and eval pairs come from pi_t itself, before any training (or resuming) changes it
            double[][] reference = SpinTrainer.referenceLogProbs(policy, tokenized, SftJob.passSize(c));
            clock.charge(StageClock.Stage.REFERENCE);
            // a run that brought its own pi_0 had no SFT stage to evaluate it: iteration 0 does, so the report shows the start
            RunEval evals = new RunEval(context, runId, c);
            RunEval.Eval parentEval = t == 0 && c.getSftCheckpoint() != null ? evals.of(policy) : null;
            RunEval.EvalPairs evalPairs = evals.pairs(t, parent, policy, parentEval == null ? null : parentEval.humanLogProbs());
            clock.charge(StageClock.Stage.EVAL);
            JobContext.Resume resume = context.resume(runId, t + 1, parent.getManifestSha256());
            if (resume != null) {
                policy.close();
                policy = resume.policy();
            }
            SpinConfig config = new SpinConfig(new TrainingConfig(c.getEpochs(), c.getBatchSize(), started.getLearningRate(),
                    c.getWarmupRatio(), 0.0, 1.0, c.getSeed() + t + 1, c.getMicroBatch(), c.getCheckpointLayers()), started.getBeta(), LossType.valueOf(c.getLossType().name()),
                    c.getNllCoefficient());
            List<StepMetrics> history;
            // the moments are freed with the training: the policy stays warm for the next iteration, they must not
            try (AdamW optimizer = resume != null ? resume.optimizer() : AdamW.defaults(0.0)) {
                history = new SpinTrainer(config).train(policy, tokenized, reference, optimizer,
                        context.progress(runId, t, t + 1, parent.getManifestSha256(), policy, optimizer), resume == null ? 0 : resume.step());
            }
            SamplerDrift drift = SamplerDrift.of(pairs, tokenized.stream().map(TokenizedPair::rejected).toList(), reference, t);
            SpinMeters.SAMPLER_LOGP_DIFF_MAX.set(drift.max(), runId);
            TrainingMetrics metrics = Metrics.training(TrainingSummary.of(history), true, new ArrayList<>(window.keySet()), drift);
            clock.charge(StageClock.Stage.TRAIN);
            boolean later = context.evalDuringNextIteration() && t + 1 < c.getIterations();
            RunEval.Eval eval = later ? null : evals.ofTrained(policy, evalPairs, started.getBeta());
            clock.charge(StageClock.Stage.EVAL);
            CheckpointRef checkpoint = context.save(policy, runId, t + 1, parent,
                    Map.of("stage", "spin", "iteration", t, "beta", started.getBeta(), "learningRate", started.getLearningRate(),
                            "loss", c.getLossType().name(), "window", new ArrayList<>(window.keySet()), "pairs", pairs.size(),
                            "pairSnapshots", lineage(run, window)),
                    Metrics.asMap(metrics, RunEval.Eval.metrics(eval)));
            clock.charge(StageClock.Stage.UPLOAD);
            context.warm().keep(checkpoint.getManifestSha256(), policy); // pi_{t+1}: the next iteration's start
            kept = true;
            evals.keepHumanLogProbs(t + 1, checkpoint, eval);
            CheckpointReady ready = CheckpointReady.newBuilder().setIteration(t).setCheckpoint(checkpoint).setParent(parent)
                    .setTraining(metrics).setEval(RunEval.Eval.metrics(eval)).setParentEval(RunEval.Eval.metrics(parentEval))
                    .setTimings(clock.timings()).build();
            context.reports().publish(context.events().of(runId, ready));
            if (later && evalPairs != null) {
                evaluateAfter(ready, evals, runId, policy, evalPairs, started.getBeta(), clock);
            }
        } finally {
            if (!kept) {
                policy.close();
            }
        }
    }

    /**
     * The rejected side as the policy sampled it: the pair's token ids (EOS appended only when sampling chose it), or,
     * for a pair written before pairs carried ids, its text encoded as responses are.
     */
    static int[] rejected(PairSnapshot.Row pair, PromptFormat format, int maxResponseTokens) {
        if (pair.rejectedTokenIds() == null) {
            return format.response(pair.rejected(), maxResponseTokens).ids();
        }
        int vocabulary = format.tokenizer().vocabSize();
        for (int id : pair.rejectedTokenIds()) {
            if (id < 0 || id >= vocabulary) {
                throw new IllegalStateException("pair " + pair.iteration() + "/" + pair.promptId() + "/" + pair.sampleIndex()
                        + ": rejected token id " + id + " is outside the policy's vocabulary (0.." + (vocabulary - 1) + ")");
            }
        }
        return format.sampled(pair.rejectedTokenIds(), !"LENGTH".equals(pair.rejectedFinishReason()), maxResponseTokens).ids();
    }

    /** What pi_{t+1} was trained on: each snapshot of the window, and the policy that generated its rejected responses. */
    private static List<Map<String, Object>> lineage(RunState run, Map<Integer, PairsCompleted> window) {
        List<Map<String, Object>> snapshots = new ArrayList<>();
        window.forEach((i, completed) -> snapshots.add(Map.of("iteration", i, "uri", completed.getSnapshot().getUri(),
                "sha256", completed.getSnapshot().getSha256(), "pairs", completed.getPairCount(),
                "generatedBy", run.iterations.get(i).getPolicy().getManifestSha256())));
        return snapshots;
    }

    /**
     * After CheckpointReady: pi_{t+1}'s eval, reported with the same checkpoint, and iteration t+1's eval pairs. A
     * failure here costs the report its eval line, not the iteration (already reported, and not to be trained again).
     */
    private void evaluateAfter(CheckpointReady ready, RunEval evals, String runId, Policy trained, RunEval.EvalPairs evalPairs,
                               double beta, StageClock clock) {
        try {
            int next = ready.getIteration() + 1;
            RunEval.Eval eval = evals.ofTrained(trained, evalPairs, beta);
            evals.preparePairs(next, trained, ready.getCheckpoint(), eval);
            clock.charge(StageClock.Stage.EVAL);
            context.reports().publish(context.events().of(runId, CheckpointReady.newBuilder(ready).setEval(RunEval.Eval.metrics(eval))
                    .setTimings(clock.timings()).build()));
        } catch (RuntimeException e) {
            LOG.warnf(e, "run %s: the eval of iteration %d's checkpoint failed; its report goes without", runId, ready.getIteration());
        }
    }
}
