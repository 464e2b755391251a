package io.spin.core.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

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
        Encoder encoder = new Encoder(format, maxPromptTokens, maxResponseTokens);
        examples.forEach(encoder);
        return encoder.encoded();
    }

    /**
     * Encodes examples as they stream by, keeping only their (truncated) token ids: a dataset far larger than the heap
     * trains as long as its tokens fit.
     */
    public static final class Encoder implements Consumer<Example> {
        private final PromptFormat format;
        private final int maxPromptTokens;
        private final int maxResponseTokens;
        private final List<TokenizedExample> out = new ArrayList<>();
        private int truncatedPrompts;
        private int truncatedResponses;

        public Encoder(PromptFormat format, int maxPromptTokens, int maxResponseTokens) {
            this.format = format;
            this.maxPromptTokens = maxPromptTokens;
            this.maxResponseTokens = maxResponseTokens;
        }

        @Override
        public void accept(Example e) {
            PromptFormat.Encoded prompt = format.prompt(e.context(), e.prompt(), maxPromptTokens);
            PromptFormat.Encoded response = format.response(e.response(), maxResponseTokens);
            truncatedPrompts += prompt.truncated() ? 1 : 0;
            truncatedResponses += response.truncated() ? 1 : 0;
            out.add(new TokenizedExample(e.id(), prompt.ids(), response.ids()));
        }

        public Encoded encoded() {
            return new Encoded(Collections.unmodifiableList(out), truncatedPrompts, truncatedResponses);
        }
    }
}
