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
        try (NDManager manager = policy.manager().newSubManager(); KvCache cache = useKvCache ? new KvCache(policy.config().layers(), width) : null) {
            int length = promptLength;
            float[] logits = finite(lastLogits(policy, manager, ids, width, padding, 0, length, cache), policy, 0);
            NDArray paddingKeys = useKvCache ? Masks.paddingKeys(manager, padding, width) : null;
            for (int step = 0; step < steps; step++) {
                boolean allDone = true;
                for (int b = 0; b < batch; b++) {
                    if (done[b]) {
                        ids[b * width + length] = tokenizer.pad(); // a finished row's later tokens are never read
                        continue;
                    }
                    // only ids the tokenizer has (a model may carry more embeddings than tokens: Qwen2's 151,936 for 151,665)
                    int token = TokenPicker.pick(logits, b * vocab, known, requests.get(b).settings(), random[b]);
                    logProb[b] += TokenPicker.logProb(logits, b * vocab, vocab, token);
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
                length++;
                if (allDone || step == steps - 1) {
                    break;
                }
                logits = finite(useKvCache ? lastLogits(policy, manager, ids, width, padding, length - 1, length, cache, paddingKeys)
                        : lastLogits(policy, manager, ids, width, padding, 0, length, null), policy, step + 1);
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
    static float[] finite(float[] logits, Policy policy, int step) {
        int vocab = policy.config().vocabSize();
        for (int i = 0; i < logits.length; i++) {
            if (!Float.isFinite(logits[i])) {
                throw new NonFiniteLogitsException("the " + policy.config().architecture() + " model (" + policy.config().layers()
                        + " layers, width " + policy.config().width() + ") sampling in " + policy.samplingType() + " gave a logit of "
                        + logits[i] + " at generation step " + step + ", batch row " + i / vocab + ", token id " + i % vocab);
            }
        }
        return logits;
    }

    /** Feeds columns [from, to) of ids and returns the logits of the last fed position, row-major (batch, vocab). */
    private static float[] lastLogits(Policy policy, NDManager manager, long[] ids, int width, int[] padding, int from, int to,
                                      KvCache cache) {
        return lastLogits(policy, manager, ids, width, padding, from, to, cache, null);
    }

    /**
     * As above; {@code paddingKeys} (batch, 1, 1, width), built once per batch, serves every one-token step: a single
     * query at the newest position may look at every earlier key, so its bias is the padding alone, sliced, not a mask
     * built and copied to the device again per step.
     */
    private static float[] lastLogits(Policy policy, NDManager manager, long[] ids, int width, int[] padding, int from, int to,
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
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray tokenIds = manager.create(window, new Shape(batch, fed));
            NDArray positionIds = manager.create(positions, new Shape(batch, fed));
            NDArray bias = fed == 1 && paddingKeys != null ? paddingKeys.get(new NDIndex(":, :, :, :{}", to))
                    : Masks.causalWithPadding(manager, padding, fed, to);
            NDArray hidden = policy.model().hidden(policy.samplingStore(), tokenIds, positionIds, bias, cache, false);
            // only the last fed position is sampled from: a prefill projects that one onto the vocabulary, not every prompt token
            return policy.model().project(policy.samplingStore(), fed == 1 ? hidden : hidden.get(LAST_POSITION), false).toFloatArray();
        }
    }
}
