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
import io.spin.core.data.Encoding;
import io.spin.data.Example;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.BatchSampling;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Policy;
import io.spin.data.text.PromptFormat;
import io.spin.core.train.AdamW;
import io.spin.core.train.LogProbs;
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
            SftJob.Eval parentEval = t == 0 && c.getSftCheckpoint() != null ? SftJob.evaluate(context, policy, c, null, null) : null;
            String evalKey = evalPairsFor(runId, t, parent);
            EvalPairs evalPairs = context.warm().takePrepared(evalKey, EvalPairs.class);
            if (evalPairs == null) {
                evalPairs = evalPairs(context, policy, c, t,
                        parentEval != null ? parentEval.humanLogProbs() : context.warm().takePrepared(evalKey, double[].class));
            }
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
            SftJob.Eval eval = later ? null : evaluate(policy, c, evalPairs, started.getBeta());
            clock.charge(StageClock.Stage.EVAL);
            CheckpointRef checkpoint = context.save(policy, runId, t + 1, parent,
                    Map.of("stage", "spin", "iteration", t, "beta", started.getBeta(), "learningRate", started.getLearningRate(),
                            "loss", c.getLossType().name(), "window", new ArrayList<>(window.keySet()), "pairs", pairs.size(),
                            "pairSnapshots", lineage(run, window)),
                    Metrics.asMap(metrics, SftJob.Eval.metrics(eval)));
            clock.charge(StageClock.Stage.UPLOAD);
            context.warm().keep(checkpoint.getManifestSha256(), policy); // pi_{t+1}: the next iteration's start
            kept = true;
            keepHumanLogProbs(context, runId, t + 1, checkpoint, eval);
            CheckpointReady ready = CheckpointReady.newBuilder().setIteration(t).setCheckpoint(checkpoint).setParent(parent)
                    .setTraining(metrics).setEval(SftJob.Eval.metrics(eval)).setParentEval(SftJob.Eval.metrics(parentEval))
                    .setTimings(clock.timings()).build();
            context.reports().publish(context.events().of(runId, ready));
            if (later && evalPairs != null) {
                evaluateAfter(ready, runId, policy, c, evalPairs, started.getBeta(), clock);
            }
        } finally {
            if (!kept) {
                policy.close();
            }
        }
    }

    /** What pi_{t+1} was trained on: each snapshot of the window, and the policy that generated its rejected responses. */
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
    private void evaluateAfter(CheckpointReady ready, String runId, Policy trained, RunConfig c, EvalPairs evalPairs, double beta,
                               StageClock clock) {
        try {
            SftJob.Eval eval = evaluate(trained, c, evalPairs, beta);
            keepHumanLogProbs(context, runId, ready.getIteration() + 1, ready.getCheckpoint(), eval);
            prepareEvalPairs(context, runId, ready.getIteration() + 1, trained, ready.getCheckpoint(), c);
            clock.charge(StageClock.Stage.EVAL);
            context.reports().publish(context.events().of(runId, CheckpointReady.newBuilder(ready).setEval(SftJob.Eval.metrics(eval)).setTimings(clock.timings()).build()));
        } catch (RuntimeException e) {
            LOG.warnf(e, "run %s: the eval of iteration %d's checkpoint failed; its report goes without", runId, ready.getIteration());
        }
    }

    /**
     * Prepares iteration t's eval pairs from its starting policy, kept warm with it (when the run has an eval set). A
     * failure is only logged: that iteration's job then samples them itself.
     */
    static void prepareEvalPairs(JobContext context, String runId, int t, Policy policy, CheckpointRef checkpoint, RunConfig c) {
        try {
            String key = evalPairsFor(runId, t, checkpoint);
            EvalPairs pairs = evalPairs(context, policy, c, t, context.warm().takePrepared(key, double[].class));
            if (pairs != null) {
                context.warm().prepare(key, pairs);
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "run %s: iteration %d's eval pairs could not be prepared; that job samples them itself", runId, t);
        }
    }

    /**
     * The starting policy's log-probs of the eval set's human responses (its eval computed them), kept with it while it
     * is warm: the human side of its iteration's eval pairs' reference, which then scores only the policy's samples.
     */
    static void keepHumanLogProbs(JobContext context, String runId, int t, CheckpointRef policy, SftJob.Eval eval) {
        if (eval != null) {
            context.warm().prepare(evalPairsFor(runId, t, policy), eval.humanLogProbs());
        }
    }

    /** pi_{t+1}'s eval; the eval pairs' pass under it scores the human responses too, so the evaluator reuses those. */
    private SftJob.Eval evaluate(Policy trained, RunConfig c, EvalPairs evalPairs, double beta) {
        if (evalPairs == null) {
            return SftJob.evaluate(context, trained, c, null, null);
        }
        long start = System.nanoTime();
        double[][] now = SpinTrainer.referenceLogProbs(trained, evalPairs.pairs(), SftJob.passSize(c));
        LOG.infof("eval pairs scored by the trained policy in %.1f s", (System.nanoTime() - start) / 1e9);
        double[] human = new double[now.length];
        for (int i = 0; i < now.length; i++) {
            human[i] = now[i][0];
        }
        return SftJob.evaluate(context, trained, c, evalPairs.rewardAccuracy(now, beta), human);
    }

    /** The eval pairs of iteration t sample its starting policy: prepared for that run, iteration and policy only. */
    private static String evalPairsFor(String runId, int t, CheckpointRef policy) {
        return runId + "/" + t + "/" + policy.getManifestSha256();
    }

    /**
     * Eval pairs (human response vs pi_t's own sample) with their reference log-probs under pi_t, or null; with
     * {@code humanLogProbs} (pi_t's, from its eval) only the samples are scored.
     */
    private static EvalPairs evalPairs(JobContext context, Policy policy, RunConfig c, int t, double[] humanLogProbs) {
        if (c.getEvalDatasetId() == null || c.getEvalPromptCount() == 0) {
            return null;
        }
        List<Example> eval = context.data().examples(c.getEvalDataset(), c.getEvalDatasetId(), c.getEvalPromptCount());
        Encoding.Encoded encoded = Encoding.encode(eval, policy.format(), c.getMaxPromptTokens(), c.getMaxResponseTokens());
        SamplingSettings settings = new SamplingSettings(c.getSampling().getTemperature(), c.getSampling().getTopP(),
                c.getSampling().getTopK(), c.getSampling().getMaxNewTokens());
        List<SampleRequest> requests = new ArrayList<>();
        for (int i = 0; i < encoded.examples().size(); i++) {
            requests.add(new SampleRequest(encoded.examples().get(i).prompt(), settings, c.getSeed() * 31 + t * 100_003L + i));
        }
        long start = System.nanoTime();
        List<Sample> samples = new BatchSampling(context.sampleBatch()).sampleAll(policy, requests);
        long sampled = System.nanoTime();
        List<TokenizedPair> pairs = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            var example = encoded.examples().get(i);
            pairs.add(TokenizedPair.of(example.id(), example, samples.get(i), policy.format(), c.getMaxResponseTokens()));
        }
        if (humanLogProbs == null || humanLogProbs.length != pairs.size()) {
            EvalPairs both = new EvalPairs(pairs, SpinTrainer.referenceLogProbs(policy, pairs, SftJob.passSize(c)));
            logEvalPairs(t, samples, sampled - start, System.nanoTime() - sampled, "both sides");
            return both;
        }
        double[] scores = LogProbs.of(policy, pairs.stream().map(TokenizedPair::prompt).toList(),
                pairs.stream().map(TokenizedPair::rejected).toList(), SftJob.passSize(c));
        double[][] reference = new double[pairs.size()][];
        for (int i = 0; i < pairs.size(); i++) {
            reference[i] = new double[] {humanLogProbs[i], scores[i]};
        }
        logEvalPairs(t, samples, sampled - start, System.nanoTime() - sampled, "samples only");
        return new EvalPairs(pairs, reference);
    }

    private static void logEvalPairs(int t, List<Sample> samples, long samplingNanos, long scoringNanos, String scored) {
        LOG.infof("iteration %d's eval pairs: %d samples (%d tokens) in %.1f s, reference log-probs (%s) in %.1f s", t, samples.size(),
                samples.stream().mapToInt(Sample::tokenCount).sum(), samplingNanos / 1e9, scored, scoringNanos / 1e9);
    }

    private record EvalPairs(List<TokenizedPair> pairs, double[][] reference) {
        /**
         * Fraction of eval pairs whose human response earns the higher implicit reward under the trained policy, whose
         * log-probs of each pair are {@code now}.
         */
        double rewardAccuracy(double[][] now, double beta) {
            int wins = 0;
            for (int i = 0; i < pairs.size(); i++) {
                double real = beta * (now[i][0] - reference[i][0]);
                double generated = beta * (now[i][1] - reference[i][1]);
                wins += real > generated ? 1 : 0;
            }
            return pairs.isEmpty() ? 0 : (double) wins / pairs.size();
        }
    }
}
