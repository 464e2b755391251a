package io.spin.data;

import java.util.List;

import io.spin.data.text.ChatRenderer;

/**
 * One SFT example: a prompt and its human response, with where it came from. A multi-turn conversation keeps its
 * earlier turns as {@code context}: the prompt is the user turn the response answers.
 */
public record Example(String id, String prompt, String response, String sourceFile, int sourceLine,
                      List<ChatRenderer.Message> context) {
    public Example {
        context = context == null ? List.of() : List.copyOf(context);
    }

    /** A single-turn example. */
    public Example(String id, String prompt, String response, String sourceFile, int sourceLine) {
        this(id, prompt, response, sourceFile, sourceLine, List.of());
    }
}
