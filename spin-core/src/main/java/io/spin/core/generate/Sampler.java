package io.spin.core.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.spin.core.model.KvCache;
import io.spin.core.model.Masks;
import io.spin.core.model.NoGrad;
import io.spin.core.model.Policy;
import io.spin.data.text.Tokenizer;

/**
 * Batched autoregressive sampling. Prompts are left-padded to one length (padding keys masked, positions counted from
 * each prompt's first real token). With the KV cache each step feeds only the newest token; without it each step
 * recomputes the whole prefix (kept to prove both give the same tokens, and for benchmarks).
 */
public final class Sampler {
    private static final NDIndex LAST_POSITION = new NDIndex(":, -1, :");
    private final boolean useKvCache;

    public Sampler(boolean useKvCache) {
        this.useKvCache = useKvCache;
    }

    public List<Sample> sample(Policy policy, List<SampleRequest> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        Tokenizer tokenizer = policy.format().tokenizer();
        int context = policy.config().contextLength();
        int vocab = policy.config().vocabSize();
        int known = Math.min(vocab, tokenizer.vocabSize());
        Set<Integer> stops = policy.format().stopIds();
        int batch = requests.size();
        int promptLength = requests.stream().mapToInt(r -> r.promptIds().length).max().orElseThrow();
        if (promptLength >= context) {
            throw new IllegalArgumentException("a prompt of " + promptLength + " tokens leaves no room to generate within the context of "
                    + context + " tokens; truncate prompts to fewer tokens");
        }
        int[] padding = new int[batch];
        int[] budget = new int[batch];
        int steps = 0;
        for (int b = 0; b < batch; b++) {
            padding[b] = promptLength - requests.get(b).promptIds().length;
            budget[b] = Math.min(requests.get(b).settings().maxNewTokens(), context - requests.get(b).promptIds().length);
            steps = Math.max(steps, budget[b]);
        }
        steps = Math.min(steps, context - promptLength);
        long[] ids = new long[batch * (promptLength + steps)];
        int width = promptLength + steps;
        for (int b = 0; b < batch; b++) {
            Arrays.fill(ids, b * width, b * width + padding[b], tokenizer.pad());
            int[] prompt = requests.get(b).promptIds();
            for (int i = 0; i < prompt.length; i++) {
                ids[b * width + padding[b] + i] = prompt[i];
            }
        }
        SplittableRandom[] random = new SplittableRandom[batch];
        List<List<Integer>> generated = new ArrayList<>();
        double[] logProb = new double[batch];
        boolean[] done = new boolean[batch];
        boolean[] eos = new boolean[batch];
        for (int b = 0; b < batch; b++) {
            random[b] = new SplittableRandom(requests.get(b).seed());
            generated.add(new ArrayList<>());
        }
        List<SamplingSettings> settings = requests.stream().map(SampleRequest::settings).toList();
        try (NoGrad noGrad = NoGrad.enter(); NDManager manager = policy.manager().newSubManager();
             KvCache cache = useKvCache ? new KvCache(policy.config().layers(), width) : null) {
            NDArray paddingKeys = useKvCache ? Masks.paddingKeys(manager, padding, width) : null;
            int length = promptLength;
            for (int step = 0; step < steps; step++) {
                boolean allDone = true;
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    int from = useKvCache && step > 0 ? length - 1 : 0;
                    NDArray logits = finite(lastLogits(policy, manager, ids, width, padding, from, length, cache, step > 0 ? paddingKeys : null),
                            policy, step);
                    double[] uniforms = new double[batch];
                    for (int b = 0; b < batch; b++) {
                        if (!done[b] && settings.get(b).temperature() > 0) {
                            uniforms[b] = random[b].nextDouble(); // one draw per sampled token, from the request's own stream
                        }
                    }
                    double[] stepLogProbs = new double[batch];
                    // only ids the tokenizer has (a model may carry more embeddings than tokens: Qwen2's 151,936 for 151,665)
                    int[] picked = DevicePicker.pick(logits, known, settings, uniforms, stepLogProbs);
                    for (int b = 0; b < batch; b++) {
                        if (done[b]) {
                            ids[b * width + length] = tokenizer.pad(); // a finished row's later tokens are never read
                            continue;
                        }
                        int token = picked[b];
                        logProb[b] += stepLogProbs[b];
                        ids[b * width + length] = token;
                        if (stops.contains(token)) {
                            done[b] = true;
                            eos[b] = true;
                        } else {
                            generated.get(b).add(token);
                            done[b] = generated.get(b).size() >= budget[b];
                        }
                        allDone &= done[b];
                    }
                }
                length++;
                if (allDone) {
                    break;
                }
            }
        }
        List<Sample> samples = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int[] tokens = generated.get(b).stream().mapToInt(Integer::intValue).toArray();
            samples.add(new Sample(tokens, tokenizer.decode(tokens), tokens.length + (eos[b] ? 1 : 0), eos[b], logProb[b]));
        }
        return samples;
    }

    /**
     * The logits, or an error naming the model, precision, step and row when one is NaN or infinite: sampling from them
     * would silently pick token 0 or the last id (half-precision overflow, a poisoned checkpoint).
     */
    static NDArray finite(NDArray logits, Policy policy, int step) {
        if (!logits.isNaN().logicalOr(logits.isInfinite()).any().getBoolean()) {
            return logits; // one flag crosses from the device, not the logits
        }
        int vocab = policy.config().vocabSize();
        float[] values = logits.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new NonFiniteLogitsException("the " + policy.config().architecture() + " model (" + policy.config().layers()
                        + " layers, width " + policy.config().width() + ") sampling in " + policy.samplingType() + " gave a logit of "
                        + values[i] + " at generation step " + step + ", batch row " + i / vocab + ", token id " + i % vocab);
            }
        }
        return logits;
    }

    /**
     * Feeds columns [from, to) of ids and returns the logits of the last fed position, (batch, vocab), on the device; a
     * one-token step's bias is {@code paddingKeys} (batch, 1, 1, width), built once per batch, sliced: a single query at
     * the newest position may look at every earlier key, so the padding is its whole mask.
     */
    private static NDArray lastLogits(Policy policy, NDManager manager, long[] ids, int width, int[] padding, int from, int to,
                                      KvCache cache, NDArray paddingKeys) {
        int batch = padding.length;
        int fed = to - from;
        long[] window = new long[batch * fed];
        long[] positions = new long[batch * fed];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < fed; i++) {
                window[b * fed + i] = ids[b * width + from + i];
                positions[b * fed + i] = Math.max(0, from + i - padding[b]);
            }
        }
        NDArray tokenIds = manager.create(window, new Shape(batch, fed));
        NDArray positionIds = manager.create(positions, new Shape(batch, fed));
        NDArray bias = fed == 1 && paddingKeys != null ? paddingKeys.get(new NDIndex(":, :, :, :{}", to))
                : Masks.causalWithPadding(manager, padding, fed, to);
        NDArray hidden = policy.model().hidden(policy.samplingStore(), tokenIds, positionIds, bias, cache, false);
        // only the last fed position is sampled from: a prefill projects that one onto the vocabulary, not every prompt token
        return policy.model().project(policy.samplingStore(), fed == 1 ? hidden.squeeze(1) : hidden.get(LAST_POSITION), false);
    }
}
