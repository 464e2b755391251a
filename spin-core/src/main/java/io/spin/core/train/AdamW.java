package io.spin.core.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

/**
 * AdamW (decoupled weight decay) with its moment estimates kept by parameter name, so the optimizer state can be
 * saved with a checkpoint and training resumed exactly. Weight decay applies to weight matrices only, not to
 * biases and layer-norm parameters. The moments live on the manager {@link #step} is given (the policy's), so they
 * outlive any one step: close the optimizer when its training ends, or a policy kept warm for the next iteration
 * keeps every earlier optimizer's 8 bytes per trainable parameter.
 */
public final class AdamW implements AutoCloseable {
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private final boolean fused;
    private int steps;

    /**
     * @param fused use the engine's fused native AdamW kernel (one call per parameter, gradient zeroed by it) instead
     *              of the explicit formula; both keep the same moments, tested to agree
     */
    public AdamW(double beta1, double beta2, double epsilon, double weightDecay, boolean fused) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.fused = fused;
    }

    public static AdamW defaults(double weightDecay) {
        return new AdamW(0.9, 0.999, 1e-8, weightDecay, true);
    }

    /** Whether {@link #step} also zeroes the gradients (the fused kernel does). */
    public boolean zeroesGradients() {
        return fused;
    }

    public int steps() {
        return steps;
    }

    /** Applies one update with the gradients the parameters currently hold. */
    public void step(PairList<String, Parameter> parameters, double learningRate, NDManager stateManager) {
        steps++;
        float correction1 = (float) (1 - Math.pow(beta1, steps));
        float correction2 = (float) (1 - Math.pow(beta2, steps));
        for (Pair<String, Parameter> entry : parameters) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray weight = entry.getValue().getArray();
                NDArray gradient = weight.getGradient();
                NDArray m = firstMoments.computeIfAbsent(entry.getKey(), k -> unscoped(stateManager.zeros(weight.getShape())));
                NDArray v = secondMoments.computeIfAbsent(entry.getKey(), k -> unscoped(stateManager.zeros(weight.getShape())));
                boolean decays = weightDecay > 0 && entry.getValue().getType() == Parameter.Type.WEIGHT;
                if (fused) {
                    float biasCorrectedRate = (float) (learningRate * Math.sqrt(correction2) / correction1);
                    weight.getNDArrayInternal().adamUpdate(new NDList(weight, gradient, m, v), new NDList(weight),
                            (float) learningRate, biasCorrectedRate, decays ? (float) weightDecay : 0f, 1f, -1f,
                            (float) beta1, (float) beta2, (float) epsilon, true, true);
                    continue;
                }
                m.muli((float) beta1).addi(gradient.mul((float) (1 - beta1)));
                v.muli((float) beta2).addi(gradient.square().mul((float) (1 - beta2)));
                NDArray update = m.div(correction1).div(v.div(correction2).sqrt().add((float) epsilon));
                if (decays) {
                    update = update.add(weight.mul((float) weightDecay));
                }
                weight.subi(update.mul((float) learningRate));
            }
        }
    }

    private static NDArray unscoped(NDArray array) {
        NDScope.unregister(array);
        return array;
    }

    /** Writes step count and moments (name, shape, float32 values). */
    public void save(DataOutputStream out) throws IOException {
        out.writeInt(1);
        out.writeInt(steps);
        out.writeInt(firstMoments.size());
        for (String name : firstMoments.keySet()) {
            out.writeUTF(name);
            writeArray(out, firstMoments.get(name));
            writeArray(out, secondMoments.get(name));
        }
    }

    /** Frees the moments; the optimizer then starts from zero moments if it steps again. */
    @Override
    public void close() {
        firstMoments.values().forEach(NDArray::close);
        secondMoments.values().forEach(NDArray::close);
        firstMoments.clear();
        secondMoments.clear();
    }

    public void load(DataInputStream in, NDManager manager) throws IOException {
        int version = in.readInt();
        if (version != 1) {
            throw new IOException("unknown optimizer state version " + version);
        }
        steps = in.readInt();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            firstMoments.put(name, readArray(in, manager));
            secondMoments.put(name, readArray(in, manager));
        }
    }

    private static void writeArray(DataOutputStream out, NDArray array) throws IOException {
        long[] shape = array.getShape().getShape();
        out.writeInt(shape.length);
        for (long d : shape) {
            out.writeLong(d);
        }
        float[] values = array.toFloatArray();
        out.writeInt(values.length);
        for (float f : values) {
            out.writeFloat(f);
        }
    }

    private static NDArray readArray(DataInputStream in, NDManager manager) throws IOException {
        long[] shape = new long[in.readInt()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = in.readLong();
        }
        float[] values = new float[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readFloat();
        }
        return manager.create(values, new ai.djl.ndarray.types.Shape(shape));
    }
}
