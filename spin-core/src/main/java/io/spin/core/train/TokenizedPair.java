package io.spin.core.train;

import io.spin.data.text.PromptFormat;

/** A SPIN pair as token ids: chosen is the human response, rejected the policy's own sample. */
public record TokenizedPair(String id, int[] prompt, int[] chosen, int[] rejected) {

    /**
     * The pair of an encoded human example and the policy's sample for its prompt: the sample's own token ids (EOS
     * appended only when it was sampled), not its text encoded again.
     */
    public static TokenizedPair of(String id, TokenizedExample human, io.spin.core.generate.Sample generated, PromptFormat format,
                                   int maxResponseTokens) {
        return new TokenizedPair(id, human.prompt(), human.response(),
                format.sampled(generated.tokenIds(), generated.finishedByEos(), maxResponseTokens).ids());
    }
}
