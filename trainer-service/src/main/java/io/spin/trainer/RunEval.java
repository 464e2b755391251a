package io.spin.trainer;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import io.spin.contract.CheckpointRef;
import io.spin.contract.EvalMetrics;
import io.spin.contract.RunConfig;
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

/**
 * What the trainer measures on a run's eval set: a policy's eval (human log-prob per token, greedy exact match and
 * similarity, and after a SPIN iteration the reward accuracy on eval pairs), and the eval pairs (human response vs
 * pi_t's own sample, with their log-probs under pi_t). Each policy's log-probs of the human responses are computed
 * once: its eval keeps them with it while it is warm ({@link WarmPolicy#prepare}), as the human side of its
 * iteration's eval pairs.
 */
final class RunEval {
    private static final Logger LOG = Logger.getLogger(RunEval.class);
    private final JobContext context;
    private final String runId;
    private final RunConfig c;

    RunEval(JobContext context, String runId, RunConfig c) {
        this.context = context;
        this.runId = runId;
        this.c = c;
    }

    /** An eval's metrics, and the log-prob of each eval example's human response under the policy evaluated. */
    record Eval(EvalMetrics metrics, double[] humanLogProbs) {
        static EvalMetrics metrics(Eval eval) {
            return eval == null ? null : eval.metrics();
        }
    }

    /** Eval pairs with their log-probs under the policy that sampled them: [i][0] the human side, [i][1] the sample. */
    record EvalPairs(List<TokenizedPair> pairs, double[][] reference) {
        /** Fraction of pairs whose human response earns the higher implicit reward under the policy that gave {@code now}. */
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

    /** The policy's eval, or null when the run has no eval set. */
    Eval of(Policy policy) {
        return evaluate(policy, null, null);
    }

    /** pi_{t+1}'s eval; its pass over the eval pairs scores the human responses too, so the evaluator reuses those. */
    Eval ofTrained(Policy trained, EvalPairs evalPairs, double beta) {
        if (evalPairs == null) {
            return of(trained);
        }
        long start = System.nanoTime();
        double[][] now = SpinTrainer.referenceLogProbs(trained, evalPairs.pairs(), SftJob.passSize(c));
        LOG.infof("eval pairs scored by the trained policy in %.1f s", (System.nanoTime() - start) / 1e9);
        double[] human = new double[now.length];
        for (int i = 0; i < now.length; i++) {
            human[i] = now[i][0];
        }
        return evaluate(trained, evalPairs.rewardAccuracy(now, beta), human);
    }

    private Eval evaluate(Policy policy, Double rewardAccuracy, double[] humanLogProbs) {
        if (!hasEvalSet()) {
            return null;
        }
        List<Example> eval = examples();
        Encoding.Encoded encoded = Encoding.encode(eval, policy.format(), c.getMaxPromptTokens(), c.getMaxResponseTokens());
        Evaluator evaluator = new Evaluator(SftJob.passSize(c), context.sampleBatch(), c.getSampling().getMaxNewTokens());
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

    /** Keeps the starting policy {@code policy} of iteration t's log-probs of the human responses, from its eval, with it. */
    void keepHumanLogProbs(int t, CheckpointRef policy, Eval eval) {
        if (eval != null) {
            context.warm().prepare(key(t, policy), eval.humanLogProbs());
        }
    }

    /**
     * Iteration t's eval pairs, sampled from its starting policy: as prepared with the warm policy, or made now (with
     * {@code humanLogProbs}, or those kept, only the samples are scored). Null when the run has no eval set.
     */
    EvalPairs pairs(int t, CheckpointRef ref, Policy policy, double[] humanLogProbs) {
        String key = key(t, ref);
        EvalPairs prepared = context.warm().takePrepared(key, EvalPairs.class);
        if (prepared != null) {
            return prepared;
        }
        return sample(policy, t, humanLogProbs != null ? humanLogProbs : context.warm().takePrepared(key, double[].class));
    }

    /**
     * Prepares iteration t's eval pairs from its starting policy, kept warm with it (when the run has an eval set), its
     * {@code eval}'s human log-probs as their human side. A failure is only logged: that iteration's job then samples
     * them itself.
     */
    void preparePairs(int t, Policy policy, CheckpointRef checkpoint, Eval eval) {
        try {
            EvalPairs pairs = sample(policy, t, eval == null ? null : eval.humanLogProbs());
            if (pairs != null) {
                context.warm().prepare(key(t, checkpoint), pairs);
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "run %s: iteration %d's eval pairs could not be prepared; that job samples them itself", runId, t);
        }
    }

    /** What is prepared for iteration t comes from its starting policy: for that run, iteration and policy only. */
    private String key(int t, CheckpointRef policy) {
        return runId + "/" + t + "/" + policy.getManifestSha256();
    }

    private boolean hasEvalSet() {
        return c.getEvalDatasetId() != null && c.getEvalPromptCount() > 0;
    }

    private List<Example> examples() {
        return context.data().examples(c.getEvalDataset(), c.getEvalDatasetId(), c.getEvalPromptCount());
    }

    private EvalPairs sample(Policy policy, int t, double[] humanLogProbs) {
        if (!hasEvalSet()) {
            return null;
        }
        Encoding.Encoded encoded = Encoding.encode(examples(), policy.format(), c.getMaxPromptTokens(), c.getMaxResponseTokens());
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
        boolean human = humanLogProbs != null && humanLogProbs.length == pairs.size();
        double[][] reference = human ? withHuman(humanLogProbs, policy, pairs) : SpinTrainer.referenceLogProbs(policy, pairs, SftJob.passSize(c));
        LOG.infof("iteration %d's eval pairs: %d samples (%d tokens) in %.1f s, reference log-probs (%s) in %.1f s", t, samples.size(),
                samples.stream().mapToInt(Sample::tokenCount).sum(), (sampled - start) / 1e9, human ? "samples only" : "both sides",
                (System.nanoTime() - sampled) / 1e9);
        return new EvalPairs(pairs, reference);
    }

    private double[][] withHuman(double[] humanLogProbs, Policy policy, List<TokenizedPair> pairs) {
        double[] sampled = LogProbs.of(policy, pairs.stream().map(TokenizedPair::prompt).toList(),
                pairs.stream().map(TokenizedPair::rejected).toList(), SftJob.passSize(c));
        double[][] reference = new double[pairs.size()][];
        for (int i = 0; i < pairs.size(); i++) {
            reference[i] = new double[] {humanLogProbs[i], sampled[i]};
        }
        return reference;
    }
}
