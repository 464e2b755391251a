package io.spin.core.train;

import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * (prompt, response) sequences right-padded into one batch for teacher forcing: the input is every token but the
 * last, the target every token but the first, and the mask keeps only targets that are response tokens.
 */
public record SequenceBatch(int batch, int length, long[] inputs, long[] targets, float[] responseMask, int[] responseTokens) {

    public static SequenceBatch of(List<int[]> prompts, List<int[]> responses, int pad) {
        int batch = prompts.size();
        int longest = 0;
        for (int b = 0; b < batch; b++) {
            longest = Math.max(longest, prompts.get(b).length + responses.get(b).length);
        }
        int length = longest - 1;
        long[] inputs = new long[batch * length];
        long[] targets = new long[batch * length];
        float[] mask = new float[batch * length];
        int[] responseTokens = new int[batch];
        for (int b = 0; b < batch; b++) {
            int[] prompt = prompts.get(b);
            int[] response = responses.get(b);
            int total = prompt.length + response.length;
            for (int i = 0; i < length; i++) {
                long current = i < total ? token(prompt, response, i) : pad;
                long next = i + 1 < total ? token(prompt, response, i + 1) : pad;
                inputs[b * length + i] = current;
                targets[b * length + i] = next;
                mask[b * length + i] = (i + 1 >= prompt.length && i + 1 < total) ? 1f : 0f;
            }
            responseTokens[b] = response.length;
        }
        return new SequenceBatch(batch, length, inputs, targets, mask, responseTokens);
    }

    /**
     * The scored positions: {@code rows} their flat index (b * length + i) into the batch, {@code targets} the token
     * each predicts, {@code owners} a (batch x scored) 0/1 matrix saying whose token each is.
     */
    record Scored(long[] rows, long[] targets, float[] owners) {
    }

    Scored scored() {
        int n = 0;
        for (float m : responseMask) {
            n += m > 0 ? 1 : 0;
        }
        long[] rows = new long[n];
        long[] scoredTargets = new long[n];
        float[] owners = new float[batch * n];
        int k = 0;
        for (int i = 0; i < responseMask.length; i++) {
            if (responseMask[i] > 0) {
                rows[k] = i;
                scoredTargets[k] = targets[i];
                owners[(i / length) * n + k] = 1f;
                k++;
            }
        }
        return new Scored(rows, scoredTargets, owners);
    }

    private static int token(int[] prompt, int[] response, int i) {
        return i < prompt.length ? prompt[i] : response[i - prompt.length];
    }

    NDArray inputArray(NDManager m) {
        return m.create(inputs, new Shape(batch, length));
    }

    NDArray targetArray(NDManager m) {
        return m.create(targets, new Shape(batch, length, 1));
    }

    NDArray maskArray(NDManager m) {
        return m.create(responseMask, new Shape(batch, length));
    }

    NDArray positionArray(NDManager m) {
        long[] positions = new long[batch * length];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i % length;
        }
        return m.create(positions, new Shape(batch, length));
    }
}
