package io.spin.data.text;

import java.util.List;

/** Renders a conversation as a model's chat template does (Hugging Face's {@code apply_chat_template}, as text). */
public interface ChatRenderer {
    /** One turn: role (system, user, assistant) and content. */
    record Message(String role, String content) {
    }

    /** The conversation as text; with {@code addGenerationPrompt}, followed by what opens the assistant's turn. */
    String render(List<Message> messages, boolean addGenerationPrompt);

    /** The template's source, stored with checkpoints. */
    String source();
}
