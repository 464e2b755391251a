package io.spin.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.spin.core.TestPolicies;
import io.spin.core.lora.Lora;
import io.spin.core.model.Policy;
import io.spin.data.model.LoraConfig;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.PromptFormat;

/**
 * Gradient accumulation: a step taken in passes of 1, 2 or 3 examples has the loss, the gradient norm and the updated
 * weights of the step taken on the whole batch at once (up to float rounding), for SFT (loss per token of the whole
 * batch, pass lengths unequal) and SPIN (mean over pairs), with and without LoRA.
 */
class MicroBatchTest {
    private static final PromptFormat FORMAT = new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, new ByteTokenizer());

    private static TrainingConfig config(int microBatch) {
        return new TrainingConfig(1, 6, 1e-2, 0.0, 0.0, 1.0, 5, microBatch);
    }

    private static List<TokenizedExample> examples() {
        List<TokenizedExample> data = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            // responses of unequal length: per-token normalisation must be the whole batch's, not each pass's
            data.add(new TokenizedExample("e" + i, FORMAT.prompt("Define: word " + i, 64).ids(), FORMAT.response("gloss".repeat(1 + i % 4) + i, 64).ids()));
        }
        return data;
    }

    private static float[] weights(Policy policy) {
        List<Float> all = new ArrayList<>();
        for (Pair<String, Parameter> p : policy.trainableParameters()) {
            for (float v : p.getValue().getArray().toFloatArray()) {
                all.add(v);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    private static void assertSameSteps(List<StepMetrics> whole, List<StepMetrics> passes, float[] wholeWeights, float[] passWeights) {
        assertEquals(whole.size(), passes.size());
        for (int s = 0; s < whole.size(); s++) {
            assertEquals(whole.get(s).loss(), passes.get(s).loss(), 1e-5, "loss of step " + s);
            assertEquals(whole.get(s).gradNorm(), passes.get(s).gradNorm(), 1e-4 * Math.max(1, whole.get(s).gradNorm()), "gradient norm of step " + s);
            assertEquals(whole.get(s).examples(), passes.get(s).examples());
            assertEquals(whole.get(s).tokens(), passes.get(s).tokens());
        }
        double worst = 0;
        for (int i = 0; i < wholeWeights.length; i++) {
            worst = Math.max(worst, Math.abs(wholeWeights[i] - passWeights[i]));
        }
        assertTrue(worst < 1e-5, "weights after the steps differ by " + worst);
    }

    @Test
    void sftInPassesIsTheWholeBatchsStep() {
        for (int micro : new int[] {1, 4}) {
            try (Policy whole = TestPolicies.tiny(3); Policy split = TestPolicies.tiny(3)) {
                List<StepMetrics> a = new SftTrainer(config(0)).train(whole, examples(), TrainingListener.NONE);
                List<StepMetrics> b = new SftTrainer(config(micro)).train(split, examples(), TrainingListener.NONE);
                assertSameSteps(a, b, weights(whole), weights(split));
            }
        }
    }

    @Test
    void spinInPassesIsTheWholeBatchsStepWithAndWithoutLora() {
        for (boolean lora : new boolean[] {false, true}) {
            try (Policy whole = llama(lora); Policy split = llama(lora)) {
                List<TokenizedPair> pairs = new ArrayList<>();
                for (TokenizedExample e : examples()) {
                    pairs.add(new TokenizedPair(e.id(), e.prompt(), e.response(), FORMAT.response("other " + e.id(), 64).ids()));
                }
                double[][] reference = SpinTrainer.referenceLogProbs(whole, pairs, 4);
                SpinConfig nll = new SpinConfig(config(0), 0.1, LossType.SIGMOID, 0.5);
                SpinConfig passes = new SpinConfig(config(2), 0.1, LossType.SIGMOID, 0.5);
                List<StepMetrics> a = new SpinTrainer(nll).train(whole, pairs, reference, TrainingListener.NONE);
                List<StepMetrics> b = new SpinTrainer(passes).train(split, pairs, reference, TrainingListener.NONE);
                assertSameSteps(a, b, weights(whole), weights(split));
                assertEquals(a.get(1).rewardsAccuracy(), b.get(1).rewardsAccuracy(), 1e-9);
                assertEquals(a.get(1).rewardsReal(), b.get(1).rewardsReal(), 1e-5);
            }
        }
    }

    @Test
    void checkpointedLayersTrainAsTheOrdinaryPassWithAndWithoutLora() {
        for (boolean lora : new boolean[] {false, true}) {
            try (Policy plain = llama(lora); Policy checkpointed = llama(lora)) {
                TrainingConfig recompute = new TrainingConfig(1, 6, 1e-2, 0.0, 0.0, 1.0, 5, 4, true);
                List<StepMetrics> a = new SftTrainer(config(0)).train(plain, examples(), TrainingListener.NONE);
                List<StepMetrics> b = new SftTrainer(recompute).train(checkpointed, examples(), TrainingListener.NONE);
                assertSameSteps(a, b, weights(plain), weights(checkpointed));
            }
        }
    }

    @Test
    void trainingAgainOnAWarmPolicyKeepsNoEarlierOptimizersMoments() {
        try (Policy policy = TestPolicies.tiny(3)) {
            int before = policy.manager().getManagedArrays().size();
            new SftTrainer(config(2)).train(policy, examples(), TrainingListener.NONE);
            int afterOne = policy.manager().getManagedArrays().size();
            new SftTrainer(config(2)).train(policy, examples(), TrainingListener.NONE);
            // each training's AdamW moments (two arrays per parameter) are freed when it ends
            assertEquals(before, afterOne, "arrays left on the policy's manager by one training");
            assertEquals(afterOne, policy.manager().getManagedArrays().size(), "arrays left by a second training");
        }
    }

    private static Policy llama(boolean lora) {
        Policy policy = Policy.create(ModelConfig.preset("llama-tiny"), FORMAT, 8, DataType.FLOAT32);
        if (lora) {
            policy.attach(Lora.create(policy.config(), new LoraConfig(4, 8, null), policy.manager(), 2));
        }
        return policy;
    }
}
