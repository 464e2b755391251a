package io.spin.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.spin.core.TestPolicies;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.data.Encoding;
import io.spin.data.JsonlDataset;
import io.spin.core.model.Policy;
import io.spin.data.text.PromptFormat;

class TrainingTest {
    static final String[][] TEXTS = {
            {"Define: lighthouse", "a tower with a light that warns ships", "a the the of"},
            {"Define: kettle", "a metal pot for boiling water", "xq zv"},
            {"Define: orchard", "an area with fruit trees", "area area area area"},
            {"Define: pebble", "a small smooth stone", "s"},
            {"Define: harbour", "a sheltered port for ships", "a port"},
    };

    static List<TokenizedPair> pairs(PromptFormat format) {
        List<TokenizedPair> pairs = new ArrayList<>();
        for (String[] t : TEXTS) {
            pairs.add(new TokenizedPair(t[0], format.prompt(t[0], 64).ids(), format.response(t[1], 64).ids(),
                    format.response(t[2], 64).ids()));
        }
        return pairs;
    }

    @TempDir
    Path tmp;

    @Test
    void precomputedReferenceGivesTheLossAndGradientsOfTheTwoModelComputation() throws Exception {
        SpinConfig config = new SpinConfig(TrainingConfig.of(1, 5, 1e-3, 1), 0.7, LossType.SIGMOID, 0.0);
        try (Policy policy = TestPolicies.tiny(21)) {
            // perturb the policy away from the reference so logits are not all zero
            String sha = CheckpointFiles.save(policy, null, tmp.resolve("ref"), "ref", null, Map.of(), Map.of());
            try (Policy reference = CheckpointFiles.load(tmp.resolve("ref"), sha)) {
                List<TokenizedPair> pairs = pairs(policy.format());
                new SpinTrainer(config).train(policy, pairs.subList(0, 2), SpinTrainer.referenceLogProbs(policy, pairs.subList(0, 2), 2),
                        TrainingListener.NONE);
                // one model: reference log-probs precomputed (here from the reference weights, in batches of 2)
                double[][] precomputed = SpinTrainer.referenceLogProbs(reference, pairs, 2);
                Map<String, float[]> gradientsOne = new LinkedHashMap<>();
                double lossOne = lossAndGradients(policy, m -> SpinTrainer.SpinLoss.compute(m,
                        SpinTrainer.pairLogProbs(policy, m, pairs, true), column(precomputed, 0), column(precomputed, 1), config,
                        new int[pairs.size()]), gradientsOne);
                // two models: the reference's log-probs computed alongside, in the same batch, without gradients
                Map<String, float[]> gradientsTwo = new LinkedHashMap<>();
                double lossTwo;
                try (NDManager refManager = reference.manager().newSubManager()) {
                    NDList ref = SpinTrainer.pairLogProbs(reference, refManager, pairs, false).split(2);
                    float[] refReal = ref.get(0).toFloatArray();
                    float[] refGenerated = ref.get(1).toFloatArray();
                    lossTwo = lossAndGradients(policy, m -> {
                        NDList pi = SpinTrainer.pairLogProbs(policy, m, pairs, true).split(2);
                        NDArray logits = pi.get(0).sub(m.create(refReal)).sub(pi.get(1).sub(m.create(refGenerated)));
                        return Losses.spin(logits, config.beta(), config.loss()).mean();
                    }, gradientsTwo);
                }
                assertEquals(lossTwo, lossOne, 1e-5);
                assertTrue(Math.abs(lossOne - Math.log(2)) > 1e-3, "the policy moved, so the loss is not log 2: " + lossOne);
                for (String name : gradientsOne.keySet()) {
                    float[] a = gradientsOne.get(name);
                    float[] b = gradientsTwo.get(name);
                    for (int i = 0; i < a.length; i++) {
                        assertEquals(b[i], a[i], 1e-5, name + "[" + i + "]");
                    }
                    assertTrue(norm(a) > 0, "gradient reaches " + name);
                }
                for (Pair<String, Parameter> p : reference.model().getParameters()) {
                    assertEquals(0.0, norm(p.getValue().getArray().getGradient().toFloatArray()), "no gradient in the reference: " + p.getKey());
                }
            }
        }
    }

    private static double lossAndGradients(Policy policy, java.util.function.Function<NDManager, NDArray> lossFn, Map<String, float[]> gradients) {
        try (NDManager m = policy.manager().newSubManager()) {
            double loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray value = lossFn.apply(m);
                loss = value.getFloat();
                collector.backward(value);
            }
            for (Pair<String, Parameter> p : policy.model().getParameters()) {
                gradients.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
            }
            Gradients.zero(policy.model().getParameters());
            return loss;
        }
    }

    @Test
    void nllTermAddsPerTokenNegativeLogLikelihoodOfTheHumanResponseByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logps = m.create(new float[] {-10, -20, -30, -25});
            SpinConfig config = new SpinConfig(TrainingConfig.of(1, 2, 1e-3, 1), 0.5, LossType.SIGMOID, 0.2);
            double loss = SpinTrainer.SpinLoss.compute(m, logps, new double[] {-11, -19}, new double[] {-28, -27}, config,
                    new int[] {5, 10}).getFloat();
            // logits 3 and -3, beta 0.5: softplus(-1.5) and softplus(1.5); nll = mean(10/5, 20/10) = 2
            double expected = (Math.log1p(Math.exp(-1.5)) + Math.log1p(Math.exp(1.5))) / 2 + 0.2 * 2;
            assertEquals(expected, loss, 1e-5);
            SpinConfig hinge = new SpinConfig(config.training(), 0.5, LossType.HINGE, 0.0);
            assertEquals((0 + 2.5) / 2, SpinTrainer.SpinLoss.compute(m, logps, new double[] {-11, -19}, new double[] {-28, -27}, hinge,
                    new int[] {5, 10}).getFloat(), 1e-5);
        }
    }

    @Test
    void aFewSpinStepsOnFixedPairsRaiseTheRewardMargin() {
        SpinConfig config = new SpinConfig(new TrainingConfig(8, 5, 2e-3, 0.1, 0.0, 1.0, 3), 0.1, LossType.SIGMOID, 0.0);
        try (Policy policy = TestPolicies.tiny(22)) {
            List<TokenizedPair> pairs = pairs(policy.format());
            List<StepMetrics> history = new SpinTrainer(config).train(policy, pairs, SpinTrainer.referenceLogProbs(policy, pairs, 4),
                    TrainingListener.NONE);
            assertEquals(8, history.size());
            assertEquals(0.0, history.get(0).rewardsMargin(), 1e-4, "the first step's policy is the reference");
            TrainingSummary summary = TrainingSummary.of(history);
            assertTrue(summary.rewardsMargin() > 1.0, "margin after training: " + summary.rewardsMargin());
            assertEquals(1.0, summary.rewardsAccuracy(), 1e-9);
            assertTrue(summary.loss() < Math.log(2) - 0.3, "loss fell below log 2: " + summary.loss());
            assertEquals(40, summary.sequences());
        }
    }

    @Test
    void sftOnRealTextLowersTheLossClearly() {
        Path data = Path.of("../data/wordnet/train.jsonl");
        assertTrue(Files.exists(data), "run from the spin-core module folder");
        try (Policy policy = TestPolicies.tiny(23)) {
            var encoded = Encoding.encode(JsonlDataset.read(data).subList(0, 96), policy.format(), 64, 64);
            List<StepMetrics> history = new SftTrainer(new TrainingConfig(4, 16, 3e-3, 0.1, 0.01, 1.0, 5))
                    .train(policy, encoded.examples(), TrainingListener.NONE);
            double first = history.get(0).loss();
            double last = TrainingSummary.of(history).loss();
            assertTrue(first > 5.0, "untrained loss is near ln(259) = 5.56: " + first);
            assertTrue(last < 0.6 * first, "SFT lowered the loss from " + first + " to " + last);
            assertEquals(24, history.size());
        }
    }

    @Test
    void aNonFiniteLossStopsTrainingWithoutTouchingTheWeights() {
        SpinConfig config = new SpinConfig(TrainingConfig.of(1, 5, 1e-3, 1), 0.1, LossType.SIGMOID, 0.0);
        try (Policy policy = TestPolicies.tiny(24)) {
            List<TokenizedPair> pairs = pairs(policy.format());
            double[][] reference = SpinTrainer.referenceLogProbs(policy, pairs, 5);
            reference[2][0] = Double.NaN;
            float[] before = policy.model().getParameters().get(0).getValue().getArray().toFloatArray();
            var e = assertThrows(NonFiniteLossException.class, () -> new SpinTrainer(config).train(policy, pairs, reference, TrainingListener.NONE));
            assertTrue(e.getMessage().contains("step 0"), e.getMessage());
            assertArrayEquals(before, policy.model().getParameters().get(0).getValue().getArray().toFloatArray());
        }
    }

    @Test
    void aFiniteLossWithANonFiniteGradientStopsTrainingWithoutTouchingTheWeights() {
        try (Policy policy = TestPolicies.tiny(24)) {
            var parameters = policy.model().getParameters();
            float[] before = parameters.get(0).getValue().getArray().toFloatArray();
            // sqrt(w - w) is 0, but its derivative at 0 is infinite (and 0 * inf is NaN): finite loss, non-finite gradient
            Optimization.PassLoss<Integer> stepFor = (manager, part, batch) -> new Optimization.StepLoss() {
                        final ai.djl.ndarray.NDArray w = parameters.get(0).getValue().getArray();
                        final ai.djl.ndarray.NDArray loss = w.sub(w.duplicate()).sqrt().sum();

                        @Override
                        public ai.djl.ndarray.NDArray loss() {
                            return loss;
                        }

                        @Override
                        public StepMetrics metrics(int step, int total, int epoch, double l, double lr, double gradNorm) {
                            return StepMetrics.sft(step, total, epoch, 1, l, lr, gradNorm, 1);
                        }
                    };
            var e = assertThrows(NonFiniteLossException.class, () -> Optimization.run(policy, List.of(1, 2), TrainingConfig.of(1, 2, 1e-3, 1),
                    AdamW.defaults(0.0), stepFor, TrainingListener.NONE, 0));
            assertTrue(e.getMessage().startsWith("non-finite gradient norm") && e.getMessage().contains("step 0"), e.getMessage());
            assertArrayEquals(before, parameters.get(0).getValue().getArray().toFloatArray(), "not applied");
        }
    }

    @Test
    void epochOrderIsAPureFunctionOfSeedAndEpoch() {
        List<Integer> data = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertEquals(Optimization.epochOrder(data, 7, 2), Optimization.epochOrder(data, 7, 2));
        assertTrue(!Optimization.epochOrder(data, 7, 2).equals(Optimization.epochOrder(data, 7, 3)));
    }

    private static double[] column(double[][] matrix, int c) {
        double[] out = new double[matrix.length];
        for (int i = 0; i < matrix.length; i++) {
            out[i] = matrix[i][c];
        }
        return out;
    }

    private static double norm(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
