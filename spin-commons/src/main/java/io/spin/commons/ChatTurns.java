package io.spin.commons;

import java.util.List;

import io.spin.contract.ChatTurn;
import io.spin.data.text.ChatRenderer;

/** A conversation's earlier turns between events (ChatTurn, null when none) and the prompt format's messages. */
public final class ChatTurns {
    private ChatTurns() {
    }

    /** The event field: null for a single-turn example, so its records stay as they were before turns existed. */
    public static List<ChatTurn> toEvent(List<ChatRenderer.Message> context) {
        return context.isEmpty() ? null : context.stream().map(m -> new ChatTurn(m.role(), m.content())).toList();
    }

    /** A turn as JSON writes it, role before content (the order of chat datasets and TRL's conversational rows). */
    public static java.util.Map<String, String> json(String role, String content) {
        java.util.Map<String, String> turn = new java.util.LinkedHashMap<>();
        turn.put("role", role);
        turn.put("content", content);
        return turn;
    }

    public static List<ChatRenderer.Message> fromEvent(List<ChatTurn> context) {
        return context == null ? List.of() : context.stream().map(t -> new ChatRenderer.Message(t.getRole(), t.getContent())).toList();
    }
}
