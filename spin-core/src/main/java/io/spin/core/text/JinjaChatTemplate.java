package io.spin.core.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;

import io.spin.data.text.ChatRenderer;

/**
 * A Hugging Face {@code chat_template} rendered with Jinjava, set up as transformers sets up jinja2 (trim_blocks,
 * lstrip_blocks; {@code raise_exception} available; {@code bos_token} and {@code eos_token} defined). A template that
 * does not render (a syntax error, or its own raise_exception) is refused with the engine's message.
 */
public final class JinjaChatTemplate implements ChatRenderer {
    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinja;

    public JinjaChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        this.bosToken = bosToken == null ? "" : bosToken; // a tokenizer without BOS: transformers leaves it undefined, rendered empty
        this.eosToken = eosToken;
        this.jinja = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaChatTemplate.class,
                "raiseException", String.class));
    }

    /** Called by templates that refuse a conversation (e.g. roles that do not alternate). */
    public static String raiseException(String message) {
        throw new IllegalArgumentException("the chat template refused the conversation: " + message);
    }

    @Override
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> turns = new ArrayList<>();
        for (Message m : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        RenderResult result;
        try {
            result = jinja.renderForResult(source, context);
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof IllegalArgumentException)) {
                cause = cause.getCause();
            }
            throw cause instanceof IllegalArgumentException iae ? iae : new IllegalArgumentException("chat template: " + e.getMessage(), e);
        }
        if (!result.getErrors().isEmpty()) {
            String first = result.getErrors().get(0).getMessage();
            if (first != null && first.contains("the chat template refused")) {
                throw new IllegalArgumentException(first.substring(first.indexOf("the chat template refused")));
            }
            throw new IllegalArgumentException("chat template does not render: " + result.getErrors().get(0));
        }
        return result.getOutput();
    }

    @Override
    public String source() {
        return source;
    }
}
