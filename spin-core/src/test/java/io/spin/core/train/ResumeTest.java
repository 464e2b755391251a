package io.spin.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.spin.core.TestPolicies;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.model.Policy;

/** A SPIN training stopped after step k and resumed from its checkpoint ends bit-identical to an uninterrupted one. */
class ResumeTest {
    @TempDir
    Path tmp;

    @Test
    void resumedTrainingIsBitIdenticalToUninterruptedTraining() throws Exception {
        SpinConfig config = new SpinConfig(new TrainingConfig(3, 2, 1e-3, 0.2, 0.01, 1.0, 9), 0.1, LossType.SIGMOID, 0.1);
        Map<String, float[]> uninterrupted;
        List<StepMetrics> full;
        try (Policy policy = TestPolicies.tiny(41)) {
            List<TokenizedPair> pairs = TrainingTest.pairs(policy.format());
            double[][] reference = SpinTrainer.referenceLogProbs(policy, pairs, 4);
            full = new SpinTrainer(config).train(policy, pairs, reference, AdamW.defaults(0.01), TrainingListener.NONE);
            uninterrupted = parameters(policy);
        }
        assertEquals(9, full.size(), "3 epochs x ceil(5 / 2)");
        int stopAfter = 4;
        String sha;
        try (Policy policy = TestPolicies.tiny(41)) {
            List<TokenizedPair> pairs = TrainingTest.pairs(policy.format());
            double[][] reference = SpinTrainer.referenceLogProbs(policy, pairs, 4);
            AdamW optimizer = AdamW.defaults(0.01);
            // "killed" after step 4: the listener saves the state the trainer service would have saved
            String[] saved = new String[1];
            try {
                new SpinTrainer(config).train(policy, pairs, reference, optimizer, m -> {
                    if (m.step() == stopAfter) {
                        try {
                            saved[0] = CheckpointFiles.save(policy, optimizer, tmp.resolve("partial"), "partial", null, Map.of("step", m.step()), Map.of());
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        throw new IllegalStateException("killed");
                    }
                });
            } catch (IllegalStateException e) {
                assertEquals("killed", e.getMessage());
            }
            sha = saved[0];
            try (Policy resumed = CheckpointFiles.load(tmp.resolve("partial"), sha)) {
                AdamW restored = AdamW.defaults(0.01);
                CheckpointFiles.loadOptimizer(tmp.resolve("partial"), restored, resumed.manager());
                assertEquals(stopAfter, restored.steps());
                List<StepMetrics> rest = new SpinTrainer(config).train(resumed, pairs, reference, restored, TrainingListener.NONE, stopAfter);
                assertEquals(full.size() - stopAfter, rest.size());
                assertEquals(full.get(full.size() - 1).loss(), rest.get(rest.size() - 1).loss(), 0.0, "same last loss");
                Map<String, float[]> after = parameters(resumed);
                for (String name : uninterrupted.keySet()) {
                    assertArrayEquals(uninterrupted.get(name), after.get(name), "parameter " + name);
                }
            }
        }
    }

    private static Map<String, float[]> parameters(Policy policy) {
        Map<String, float[]> values = new java.util.LinkedHashMap<>();
        for (Pair<String, Parameter> p : policy.model().getParameters()) {
            values.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return values;
    }
}
