package io.spin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.spin.data.DatasetException;
import io.spin.core.data.Encoding;
import io.spin.data.Example;
import io.spin.data.JsonlDataset;
import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.ChatRenderer;
import io.spin.data.text.PromptFormat;

class DatasetTest {

    private static List<Example> parse(String text) {
        return JsonlDataset.parse("train.jsonl", text.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String text) {
        return assertThrows(DatasetException.class, () -> parse(text)).getMessage();
    }

    private static String error(byte[] bytes) {
        return assertThrows(DatasetException.class, () -> JsonlDataset.parse("train.jsonl", bytes)).getMessage();
    }

    @Test
    void readsBothFormsAndKeepsIdsAndLines() {
        List<Example> examples = parse("""
                {"id": "a1", "prompt": "Define: kettle", "response": "a pot"}

                {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "Hi?"},
                  {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "And a pot?"},
                  {"role": "assistant", "content": "A kettle's cousin."}]}
                """.replace("\n  ", " "));
        assertEquals(2, examples.size());
        assertEquals(new Example("a1", "Define: kettle", "a pot", "train.jsonl", 1), examples.get(0));
        assertEquals(new Example("line-0000003", "And a pot?", "A kettle's cousin.", "train.jsonl", 3, List.of(
                new ChatRenderer.Message("system", "be brief"), new ChatRenderer.Message("user", "Hi?"),
                new ChatRenderer.Message("assistant", "Hello."))), examples.get(1), "the last assistant turn answers the user turn before it");
    }

    @Test
    void everyBadInputIsRefusedWithFileAndLine() {
        assertEquals("train.jsonl: no examples (the file is empty or has only blank lines)", error("\n\n"));
        assertTrue(error("{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\",").startsWith("train.jsonl:2: invalid JSON"));
        assertTrue(error("{\"prompt\": \"a\"}").startsWith("train.jsonl:1: missing field 'response'"));
        assertTrue(error("{\"prompt\": \"a\", \"response\": 5}").startsWith("train.jsonl:1: field 'response' must be a string"));
        assertTrue(error("{\"prompt\": \"a\", \"response\": \"  \"}").startsWith("train.jsonl:1: empty response"));
        assertTrue(error("[1, 2]").startsWith("train.jsonl:1: expected a JSON object"));
        assertTrue(error("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}").startsWith("train.jsonl:1: 'messages' must end with a user turn"));
        assertTrue(error("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"},"
                + " {\"role\": \"user\", \"content\": \"more?\"}]}").startsWith("train.jsonl:1: 'messages' must end with a user turn and the assistant"));
        assertEquals("train.jsonl:1: messages[1].role is 'bot'; expected system, user or assistant",
                error("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"bot\", \"content\": \"a\"}]}"));
        assertEquals("train.jsonl:1: messages[0].content must be a string",
                error("{\"messages\": [{\"role\": \"user\", \"content\": 3}, {\"role\": \"assistant\", \"content\": \"a\"}]}"));
        assertEquals("train.jsonl:3: duplicate id 'x' (first at line 1)",
                error("{\"id\":\"x\",\"prompt\":\"a\",\"response\":\"b\"}\n{\"prompt\":\"a\",\"response\":\"b\"}\n{\"id\":\"x\",\"prompt\":\"c\",\"response\":\"d\"}"));
        byte[] latin1 = "{\"prompt\": \"caf\u00e9\", \"response\": \"b\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("train.jsonl:1: not valid UTF-8 (re-encode the file as UTF-8)", error(latin1));
        String huge = "{\"prompt\": \"" + "x".repeat(JsonlDataset.MAX_LINE_BYTES) + "\", \"response\": \"b\"}";
        assertTrue(error("{\"prompt\":\"a\",\"response\":\"b\"}\n" + huge).startsWith("train.jsonl:2: line of "));
    }

    @Test
    void overLongPromptsAndResponsesAreTruncatedAndCounted() {
        List<Example> examples = parse("""
                {"prompt": "short", "response": "ok"}
                {"prompt": "%s", "response": "%s"}
                """.formatted("p".repeat(300), "r".repeat(300)));
        PromptFormat format = PromptFormat.defaults(new ByteTokenizer());
        Encoding.Encoded encoded = Encoding.encode(examples, format, 64, 32);
        assertEquals(1, encoded.truncatedPrompts());
        assertEquals(1, encoded.truncatedResponses());
        assertEquals(64, encoded.examples().get(1).prompt().length);
        assertEquals(32, encoded.examples().get(1).response().length);
        assertEquals(3, encoded.examples().get(0).response().length);
    }

    @Test
    void aConversationsEarlierTurnsPrecedeThePromptAndTheOldestGoFirstWhenTooLong() {
        PromptFormat format = PromptFormat.defaults(new ByteTokenizer());
        List<ChatRenderer.Message> context = List.of(new ChatRenderer.Message("system", "be brief"),
                new ChatRenderer.Message("user", "Hi?"), new ChatRenderer.Message("assistant", "Hello."));
        PromptFormat.Encoded whole = format.prompt(context, "And a pot?", 256);
        assertEquals("### Instruction:\nsystem: be brief\nuser: Hi?\nassistant: Hello.\n\nAnd a pot?\n\n### Response:\n",
                format.tokenizer().decode(java.util.Arrays.copyOfRange(whole.ids(), 1, whole.ids().length)));
        assertFalse(whole.truncated());
        // 1 (BOS) + 17 + 20 (head, tail) + 17 ("system: be brief\n") + 18 ("assistant: Hello.\n") + 1 + 10 = 84: "user: Hi?" must go
        PromptFormat.Encoded cut = format.prompt(context, "And a pot?", 84);
        assertTrue(cut.truncated());
        assertEquals("### Instruction:\nsystem: be brief\nassistant: Hello.\n\nAnd a pot?\n\n### Response:\n",
                format.tokenizer().decode(java.util.Arrays.copyOfRange(cut.ids(), 1, cut.ids().length)), "the system turn stays");
        assertEquals(format.prompt("And a pot?", 40).ids().length, format.prompt(context, "And a pot?", 40).ids().length);
    }
}
