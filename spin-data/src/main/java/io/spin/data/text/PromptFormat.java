package io.spin.data.text;

import java.util.Arrays;
import java.util.List;

/**
 * The ONE prompt format, used by generation and training alike (the reference implementation trained and
 * generated with different formats; this class exists so that cannot happen). Either a template holding
 * {@code {prompt}}, the formatted prompt preceded by BOS (SPIN's own models), or a model's chat template: the prompt as
 * the user's turn rendered with the generation prompt, tokenized as it stands (the template writes any BOS itself).
 * A response is followed by EOS either way.
 */
public final class PromptFormat {
    /** In the style of the paper's Alpaca-like format: an instruction line, then a response marker. */
    public static final String DEFAULT_TEMPLATE = "### Instruction:\n{prompt}\n\n### Response:\n";
    private static final String SLOT = "{prompt}";

    private final String template;
    private final ChatRenderer chat;
    private final Tokenizer tokenizer;
    private final int[] head;
    private final int[] tail;
    private final int endOfTurn;

    public PromptFormat(String template, Tokenizer tokenizer) {
        int slot = template.indexOf(SLOT);
        if (slot < 0 || template.indexOf(SLOT, slot + 1) >= 0) {
            throw new IllegalArgumentException("prompt template must contain " + SLOT + " exactly once: '" + template + "'");
        }
        this.template = template;
        this.chat = null;
        this.tokenizer = tokenizer;
        this.head = tokenizer.encode(template.substring(0, slot));
        this.tail = tokenizer.encode(template.substring(slot + SLOT.length()));
        this.endOfTurn = tokenizer.eos();
    }

    private PromptFormat(ChatRenderer chat, Tokenizer tokenizer) {
        this.template = null;
        this.chat = chat;
        this.tokenizer = tokenizer;
        this.head = tokenizer.encode(chat.render(List.of(new ChatRenderer.Message("user", "")), true));
        this.tail = new int[0];
        this.endOfTurn = endOfTurn(chat, tokenizer);
    }

    /**
     * The token the chat template closes an assistant turn with (Llama 3's {@code <|eot_id|>}, Qwen2's
     * {@code <|im_end|>}): the first token it renders after the assistant's text, when that token is special (decodes to
     * nothing). Else, or when the template cannot render an assistant turn, the EOS.
     */
    private static int endOfTurn(ChatRenderer chat, Tokenizer tokenizer) {
        String marker = "SPINENDOFTURNPROBE";
        try {
            String text = chat.render(List.of(new ChatRenderer.Message("user", "u"), new ChatRenderer.Message("assistant", marker)), false);
            int at = text.lastIndexOf(marker);
            if (at < 0) {
                return tokenizer.eos();
            }
            int[] after = tokenizer.encode(text.substring(at + marker.length()));
            return after.length > 0 && tokenizer.decode(new int[] {after[0]}).isEmpty() ? after[0] : tokenizer.eos();
        } catch (RuntimeException e) {
            return tokenizer.eos();
        }
    }

    /** The id a response ends with: the chat template's end-of-turn token, else the EOS. */
    public int endOfTurn() {
        return endOfTurn;
    }

    /** The ids that end a sampled response: the tokenizer's stop ids and the end of turn. */
    public java.util.Set<Integer> stopIds() {
        java.util.Set<Integer> stops = new java.util.TreeSet<>(tokenizer.stopIds());
        stops.add(endOfTurn);
        return java.util.Collections.unmodifiableSet(stops);
    }

    /** Prompts as the model's chat template renders them. */
    public static PromptFormat chat(ChatRenderer chat, Tokenizer tokenizer) {
        return new PromptFormat(chat, tokenizer);
    }

    public static PromptFormat defaults(Tokenizer tokenizer) {
        return new PromptFormat(DEFAULT_TEMPLATE, tokenizer);
    }

    /** The {prompt} template, or null for a chat template. */
    public String template() {
        return template;
    }

    /** The chat template, or null for a {prompt} template. */
    public ChatRenderer chat() {
        return chat;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** 1 when prompts start with the tokenizer's BOS, 0 when it has none (Qwen2's): no other token stands in for it. */
    private int bos() {
        return tokenizer.bos() >= 0 ? 1 : 0;
    }

    /** Fewest tokens any formatted prompt takes (BOS + template without the prompt; the chat template's empty turn). */
    public int overhead() {
        return chat != null ? head.length : bos() + head.length + tail.length;
    }

    /**
     * BOS + template around the prompt, at most {@code maxTokens} long: an over-long prompt loses its END (its
     * beginning usually states the task), never the response marker.
     */
    public Encoded prompt(String prompt, int maxTokens) {
        if (maxTokens < overhead() + 1) {
            throw new IllegalArgumentException("maxPromptTokens " + maxTokens + " leaves no room for a prompt: the template alone takes "
                    + overhead() + " tokens");
        }
        if (chat != null) {
            return chatPrompt(prompt, maxTokens);
        }
        int[] content = tokenizer.encode(prompt);
        int room = maxTokens - overhead();
        boolean truncated = content.length > room;
        int used = Math.min(room, content.length);
        int[] ids = new int[overhead() + used];
        int at = bos();
        if (at == 1) {
            ids[0] = tokenizer.bos();
        }
        System.arraycopy(head, 0, ids, at, head.length);
        System.arraycopy(content, 0, ids, at + head.length, used);
        System.arraycopy(tail, 0, ids, at + head.length + used, tail.length);
        return new Encoded(ids, truncated);
    }

    /**
     * A conversation's prompt: its earlier turns ({@code context}), then the user turn, at most {@code maxTokens} long.
     * Over-long, the oldest turns go first (a leading system turn stays while another is left), then the prompt's end as
     * for a single turn. A chat template renders the turns; the {prompt} template gets them as "role: content" lines
     * before the prompt.
     */
    public Encoded prompt(List<ChatRenderer.Message> context, String prompt, int maxTokens) {
        if (context.isEmpty()) {
            return prompt(prompt, maxTokens);
        }
        List<ChatRenderer.Message> kept = new java.util.ArrayList<>(context);
        while (!kept.isEmpty()) {
            int[] ids;
            if (chat != null) {
                List<ChatRenderer.Message> turns = new java.util.ArrayList<>(kept);
                turns.add(new ChatRenderer.Message("user", prompt));
                ids = tokenizer.encode(chat.render(turns, true));
            } else {
                StringBuilder text = new StringBuilder();
                kept.forEach(m -> text.append(m.role()).append(": ").append(m.content()).append('\n'));
                ids = prompt(text.append('\n').append(prompt).toString(), Integer.MAX_VALUE).ids();
            }
            if (ids.length <= maxTokens) {
                return new Encoded(ids, kept.size() < context.size());
            }
            kept.remove(kept.get(0).role().equals("system") && kept.size() > 1 ? 1 : 0);
        }
        return new Encoded(prompt(prompt, maxTokens).ids(), true);
    }

    /** The rendered turn; over-long, the prompt loses as much of its end as it must (found by bisection on its text). */
    private Encoded chatPrompt(String prompt, int maxTokens) {
        int[] whole = renderUser(prompt);
        if (whole.length <= maxTokens) {
            return new Encoded(whole, false);
        }
        int fits = 0;
        int tooLong = prompt.length();
        while (tooLong - fits > 1) {
            int mid = (fits + tooLong) >>> 1;
            if (renderUser(cut(prompt, mid)).length <= maxTokens) {
                fits = mid;
            } else {
                tooLong = mid;
            }
        }
        return new Encoded(renderUser(cut(prompt, fits)), true);
    }

    private int[] renderUser(String prompt) {
        return tokenizer.encode(chat.render(List.of(new ChatRenderer.Message("user", prompt)), true));
    }

    /** The first {@code length} characters, never splitting a surrogate pair. */
    private static String cut(String text, int length) {
        return length > 0 && Character.isHighSurrogate(text.charAt(length - 1)) ? text.substring(0, length - 1) : text.substring(0, length);
    }

    /**
     * The response's tokens followed by the end of turn ({@link #endOfTurn}: what the model must learn to stop with),
     * at most {@code maxTokens} long; a truncated response gets none.
     */
    public Encoded response(String response, int maxTokens) {
        int[] content = tokenizer.encode(response);
        if (content.length + 1 <= maxTokens) {
            int[] ids = Arrays.copyOf(content, content.length + 1);
            ids[content.length] = endOfTurn;
            return new Encoded(ids, false);
        }
        return new Encoded(Arrays.copyOf(content, maxTokens), true);
    }

    /**
     * A response as the policy sampled it: its token ids, then the end of turn when sampling ended on a stop id (a
     * sample cut by length gets none), at most {@code maxTokens} long (a longer one is cut and gets none). Samples
     * record that a stop id ended them, not which: a model that stopped on another of its stop ids (Llama 3's
     * end_of_text rather than eot_id) is trained as if it had ended its turn.
     */
    public Encoded sampled(int[] tokenIds, boolean finishedByEos, int maxTokens) {
        int length = tokenIds.length + (finishedByEos ? 1 : 0);
        if (length <= maxTokens) {
            int[] ids = Arrays.copyOf(tokenIds, length);
            if (finishedByEos) {
                ids[tokenIds.length] = endOfTurn;
            }
            return new Encoded(ids, false);
        }
        return new Encoded(Arrays.copyOf(tokenIds, maxTokens), true);
    }

    /** Token ids and whether the text had to be cut to fit. */
    public record Encoded(int[] ids, boolean truncated) {
    }
}
