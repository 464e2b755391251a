package io.spin.core.data;

import java.util.ArrayList;
import java.util.List;

import io.spin.data.Example;
import io.spin.data.text.PromptFormat;
import io.spin.core.train.TokenizedExample;

/** Examples to token ids with the one prompt format, truncating to the limits and counting what was cut. */
public final class Encoding {
    private Encoding() {
    }

    public record Encoded(List<TokenizedExample> examples, int truncatedPrompts, int truncatedResponses) {
    }

    public static Encoded encode(List<Example> examples, PromptFormat format, int maxPromptTokens, int maxResponseTokens) {
        List<TokenizedExample> out = new ArrayList<>(examples.size());
        int truncatedPrompts = 0;
        int truncatedResponses = 0;
        for (Example e : examples) {
            PromptFormat.Encoded prompt = format.prompt(e.context(), e.prompt(), maxPromptTokens);
            PromptFormat.Encoded response = format.response(e.response(), maxResponseTokens);
            truncatedPrompts += prompt.truncated() ? 1 : 0;
            truncatedResponses += response.truncated() ? 1 : 0;
            out.add(new TokenizedExample(e.id(), prompt.ids(), response.ids()));
        }
        return new Encoded(out, truncatedPrompts, truncatedResponses);
    }
}
