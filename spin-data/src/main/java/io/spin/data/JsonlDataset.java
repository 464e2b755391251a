package io.spin.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.spin.data.text.ChatRenderer;

/**
 * Reads SFT data as JSON Lines, all or nothing: one bad line refuses the whole file with its line number, so a run
 * never starts half-loaded. Two line forms:
 * <ul>
 *   <li>{@code {"prompt": "...", "response": "..."}} (optional {@code "id"})</li>
 *   <li>{@code {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...]}}: a conversation. Its last
 *   turn is the human response (an assistant turn), the user turn before it the prompt, and every earlier turn the
 *   example's context, rendered before the prompt by the model's chat template.</li>
 * </ul>
 * Blank lines are skipped. Ids default to the line number.
 */
public final class JsonlDataset {
    /** Longest line accepted (bytes); longer ones are refused rather than read into memory. */
    public static final int MAX_LINE_BYTES = DataLimits.LINE_BYTES;
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonlDataset() {
    }

    public static List<Example> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(file.getFileName().toString(), in);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Parses the bytes of a file named {@code name} (used in every message). */
    public static List<Example> parse(String name, byte[] bytes) {
        try {
            return parse(name, new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array does not fail to read
        }
    }

    private static List<Example> parse(String name, InputStream in) throws IOException {
        List<Example> examples = new ArrayList<>();
        scan(name, in, examples::add);
        return examples;
    }

    /**
     * Reads a file line by line, checks every line and hands each example on in file order; returns how many there were.
     * Memory follows the longest line, not the file (plus 12 bytes per example for the duplicate-id check), so a file of
     * any size within {@link DataLimits} can be checked or published as it streams by. The whole file is refused at its
     * first bad line, with the file name and line number; {@code each} has then seen the examples before it.
     */
    public static int scan(String name, InputStream in, Consumer<Example> each) throws IOException {
        LineReader lines = new LineReader(in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16));
        IdLines ids = new IdLines();
        int count = 0;
        int line = 0;
        byte[] bytes;
        while ((bytes = lines.next(DataLimits.LINE_BYTES)) != null) {
            line++;
            if (lines.tooLong()) {
                throw new DatasetException(name + ":" + line + ": line of " + lines.tooLongBytes() + "+ bytes is longer than the limit of "
                        + DataLimits.LINE_BYTES + " bytes (LINE_BYTES)");
            }
            String text = decode(name, line, bytes, lines.length()).strip();
            if (text.isEmpty()) {
                continue;
            }
            Example example = parseLine(name, line, text);
            int previous = ids.putIfAbsent(example.id(), line);
            if (previous > 0) {
                throw new DatasetException(name + ":" + line + ": duplicate id '" + example.id() + "' (first at line " + previous + ")");
            }
            if (++count > DataLimits.EXAMPLES) {
                throw new DatasetException(name + ":" + line + ": more than " + DataLimits.EXAMPLES + " examples (EXAMPLES); split the file");
            }
            each.accept(example);
        }
        if (count == 0) {
            throw new DatasetException(name + ": no examples (the file is empty or has only blank lines)");
        }
        return count;
    }

    private static String decode(String name, int line, byte[] bytes, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new DatasetException(name + ":" + line + ": not valid UTF-8 (re-encode the file as UTF-8)");
        }
    }

    /** Over a field's limit: the message names the file, line, field and limit. */
    private static void limit(String name, int line, String field, String value, int limit, String limitName) {
        if ((long) value.length() * 3 <= limit) {
            return; // a char is at most 3 UTF-8 bytes: surely within
        }
        int bytes = Utf8.length(value);
        if (bytes > limit) {
            throw new DatasetException(name + ":" + line + ": field '" + field + "' is " + bytes + " bytes, over the limit of "
                    + limit + " bytes (" + limitName + ")");
        }
    }


    private static Example parseLine(String name, int line, String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new DatasetException(name + ":" + line + ": invalid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new DatasetException(name + ":" + line + ": expected a JSON object");
        }
        String prompt;
        String response;
        List<ChatRenderer.Message> context = List.of();
        if (node.has("messages")) {
            List<ChatRenderer.Message> turns = chatTurns(name, line, node.get("messages"));
            response = turns.get(turns.size() - 1).content();
            prompt = turns.get(turns.size() - 2).content();
            context = turns.subList(0, turns.size() - 2);
        } else {
            prompt = text(name, line, node, "prompt");
            response = text(name, line, node, "response");
        }
        if (prompt.isBlank()) {
            throw new DatasetException(name + ":" + line + ": empty prompt");
        }
        if (response.isBlank()) {
            throw new DatasetException(name + ":" + line + ": empty response (SPIN needs a human response for every prompt)");
        }
        String id = node.has("id") && !node.get("id").isNull() ? node.get("id").asText() : String.format("line-%07d", line);
        if (id.isBlank()) {
            throw new DatasetException(name + ":" + line + ": empty id");
        }
        boolean chat = node.has("messages");
        limit(name, line, "id", id, DataLimits.ID_BYTES, "ID_BYTES");
        String promptField = chat ? "messages (all but the last turn)" : "prompt";
        limit(name, line, promptField, context.stream().map(ChatRenderer.Message::content).reduce(prompt, String::concat),
                DataLimits.PROMPT_BYTES, "PROMPT_BYTES");
        limit(name, line, chat ? "messages[" + (node.get("messages").size() - 1) + "].content" : "response", response,
                DataLimits.RESPONSE_BYTES, "RESPONSE_BYTES");
        return new Example(id, prompt, response, name, line, context);
    }

    private static String text(String name, int line, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new DatasetException(name + ":" + line + ": missing field '" + field
                    + "' (expected {\"prompt\", \"response\"} or {\"messages\": [...]})");
        }
        if (!value.isTextual()) {
            throw new DatasetException(name + ":" + line + ": field '" + field + "' must be a string, not " + value.getNodeType());
        }
        return value.asText();
    }

    private static final java.util.Set<String> ROLES = java.util.Set.of("system", "user", "assistant");

    /** The turns, checked: known roles, text contents, ending with a user turn and the assistant turn answering it. */
    private static List<ChatRenderer.Message> chatTurns(String name, int line, JsonNode messages) {
        if (!messages.isArray()) {
            throw new DatasetException(name + ":" + line + ": 'messages' must be an array");
        }
        List<ChatRenderer.Message> turns = new ArrayList<>();
        for (JsonNode message : messages) {
            String where = "messages[" + turns.size() + "]";
            if (!message.isObject()) {
                throw new DatasetException(name + ":" + line + ": " + where + " must be an object with 'role' and 'content'");
            }
            String role = message.path("role").asText("");
            if (!ROLES.contains(role)) {
                throw new DatasetException(name + ":" + line + ": " + where + ".role is '" + role + "'; expected system, user or assistant");
            }
            JsonNode content = message.get("content");
            if (content == null || !content.isTextual()) {
                throw new DatasetException(name + ":" + line + ": " + where + ".content must be a string");
            }
            turns.add(new ChatRenderer.Message(role, content.asText()));
        }
        int n = turns.size();
        if (n < 2 || !turns.get(n - 1).role().equals("assistant") || !turns.get(n - 2).role().equals("user")) {
            throw new DatasetException(name + ":" + line + ": 'messages' must end with a user turn and the assistant turn answering it"
                    + " (the human response SPIN learns from)");
        }
        return turns;
    }
}
