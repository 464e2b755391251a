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

    public static List<ChatRenderer.Message> fromEvent(List<ChatTurn> context) {
        return context == null ? List.of() : context.stream().map(t -> new ChatRenderer.Message(t.getRole(), t.getContent())).toList();
    }
}
