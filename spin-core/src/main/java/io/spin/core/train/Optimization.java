package io.spin.core.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.PairList;
import io.spin.core.model.LayerCheckpoints;
import io.spin.core.model.Policy;

/**
 * The loop both trainers share: deterministic shuffling per epoch, one gradient step per batch (forward in a
 * collector, finite-loss and finite-gradient guards, global-norm clip, AdamW with the warm-up/decay schedule).
 * Only one GradientCollector may collect per JVM: callers run training on one thread.
 */
final class Optimization {
    private Optimization() {
    }

    /**
     * What a pass's loss function returns: its share of the step's loss (the shares of a batch's passes sum to the
     * whole batch's loss), and metrics of its examples, read after backward.
     */
    interface StepLoss {
        NDArray loss();

        StepMetrics metrics(int step, int totalSteps, int epoch, double loss, double lr, double gradNorm);
    }

    /** The loss of one pass: {@code part} of the step's {@code batch}. */
    interface PassLoss<T> {
        StepLoss of(NDManager manager, List<T> part, List<T> batch);
    }

    /**
     * Trains from step {@code startStep} (0 = from the start): earlier steps are skipped, not recomputed, so a run
     * resumed with the weights and optimizer state saved after step startStep continues on the same data order.
     */
    static <T> List<StepMetrics> run(Policy policy, List<T> data, TrainingConfig config, AdamW optimizer, PassLoss<T> passLoss,
                                     TrainingListener listener, int startStep) {
        int perEpoch = (data.size() + config.batchSize() - 1) / config.batchSize();
        int total = config.stepsFor(data.size());
        LearningRateSchedule schedule = LearningRateSchedule.of(config.learningRate(), total, config.warmupRatio());
        PairList<String, Parameter> parameters = policy.trainableParameters();
        List<StepMetrics> history = new ArrayList<>();
        // a 16-bit frozen base is computed with float32 copies of one layer's weights; autograd would keep every layer's
        // copy until the backward (4 more bytes per parameter), checkpointing keeps one layer's at a time
        boolean checkpointed = config.checkpointLayers() || policy.baseType() != ai.djl.ndarray.types.DataType.FLOAT32;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            List<T> order = epochOrder(data, config.seed(), epoch);
            for (int b = 0; b < perEpoch; b++) {
                int step = epoch * perEpoch + b;
                if (step < startStep) {
                    continue;
                }
                List<T> batch = order.subList(b * config.batchSize(), Math.min(order.size(), (b + 1) * config.batchSize()));
                StepMetrics metrics = step(policy, parameters, batch, config.passSize(), checkpointed, passLoss, step, total, epoch,
                        schedule.at(step), config.maxGradNorm(), optimizer);
                history.add(metrics);
                listener.onStep(metrics);
            }
        }
        return history;
    }

    /** The data order of an epoch: a pure function of seed and epoch, so a resumed run sees the same order. */
    static <T> List<T> epochOrder(List<T> data, long seed, int epoch) {
        List<T> order = new ArrayList<>(data);
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        return order;
    }

    private static <T> StepMetrics step(Policy policy, PairList<String, Parameter> parameters, List<T> batch, int passSize,
                                        boolean checkpointed, PassLoss<T> passLoss, int step, int total, int epoch, double lr, double maxGradNorm,
                                        AdamW optimizer) {
        try {
            double loss = 0;
            List<StepMetrics> passes = new ArrayList<>();
            for (int from = 0; from < batch.size(); from += passSize) {
                List<T> part = batch.subList(from, Math.min(batch.size(), from + passSize));
                // each pass's arrays (its activations) are freed before the next: memory follows the pass, not the batch
                try (NDManager manager = policy.manager().newSubManager(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                         LayerCheckpoints checkpoints = checkpointed ? policy.model().checkpointLayers() : null) {
                        StepLoss stepLoss = passLoss.of(manager, part, batch);
                        double value = stepLoss.loss().getFloat();
                        if (!Double.isFinite(value)) {
                            throw new NonFiniteLossException(step, value);
                        }
                        collector.backward(stepLoss.loss()); // PyTorch adds into the gradients: the passes accumulate
                        if (checkpoints != null) {
                            checkpoints.backward(collector);
                        }
                        loss += value;
                        passes.add(stepLoss.metrics(step + 1, total, epoch, value, lr, Double.NaN));
                    }
                }
            }
            double norm = Gradients.clipGlobalNorm(parameters, maxGradNorm);
            if (!Double.isFinite(norm)) { // a finite loss can still have a non-finite gradient: applied, it poisons every weight
                throw new NonFiniteLossException(step, "gradient norm", norm);
            }
            optimizer.step(parameters, lr, policy.manager());
            policy.weightsChanged();
            if (!optimizer.zeroesGradients()) {
                Gradients.zero(parameters);
            }
            return StepMetrics.combine(passes, loss, norm);
        } catch (NonFiniteLossException e) {
            Gradients.zero(parameters);
            throw e;
        }
    }
}
