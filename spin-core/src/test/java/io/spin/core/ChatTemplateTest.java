package io.spin.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.model.Policy;
import io.spin.core.text.HuggingFaceTokenizer;
import io.spin.core.text.JinjaChatTemplate;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.ChatRenderer.Message;
import io.spin.data.text.PromptFormat;

/** Chat templates as transformers renders them (jinja2 with trim_blocks and lstrip_blocks), checked by hand. */
class ChatTemplateTest {
    @TempDir
    Path tmp;

    /** Qwen2's template, as its tokenizer_config.json holds it (escapes as in the JSON string, decoded). */
    static final String CHATML = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    @Test
    void chatMlRendersTheUsersTurnAndOpensTheAssistants() {
        String text = new JinjaChatTemplate(CHATML, "", "<|im_end|>").render(List.of(new Message("user", "Define: kettle")), true);
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nDefine: kettle<|im_end|>\n"
                + "<|im_start|>assistant\n", text);
    }

    @Test
    void blocksAreTrimmedAsTransformersTrimsThem() {
        String zephyr = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\\n' + message['content'] + eos_token }}\n"
                + "{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";
        assertEquals("<|user|>\nhello</s>\n<|assistant|>\n", new JinjaChatTemplate(zephyr, "<s>", "</s>").render(List.of(new Message("user", "hello")), true));
    }

    @Test
    void aTemplatesOwnRefusalIsReported() {
        String llama2 = "{% if messages[0]['role'] == 'assistant' %}{{ raise_exception('Conversation roles must alternate user/assistant') }}"
                + "{% endif %}{{ bos_token }}{% for m in messages %}[INST] {{ m['content'] | trim }} [/INST]{% endfor %}";
        JinjaChatTemplate template = new JinjaChatTemplate(llama2, "<s>", "</s>");
        assertEquals("<s>[INST] hi [/INST]", template.render(List.of(new Message("user", "  hi ")), true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> template.render(List.of(new Message("assistant", "x")), true));
        assertTrue(e.getMessage().contains("Conversation roles must alternate user/assistant"), e.getMessage());
    }

    @Test
    void aChatFormatTokenizesTheRenderedTurnAndCutsTheEndOfAnOverLongPrompt() throws Exception {
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.load(HuggingFaceTokenizerTest.FILE, "[BOS]", "[EOS]", "[PAD]");
        String template = "{{ bos_token }}{{ messages[0]['content'] }}{% if add_generation_prompt %} =>{% endif %}";
        PromptFormat format = PromptFormat.chat(new JinjaChatTemplate(template, "[BOS]", "[EOS]"), tokenizer);
        // the same ids as the {prompt} template "{prompt} =>" gives (HuggingFaceTokenizerTest): [BOS] define : kettle =>
        assertArrayEquals(new int[] {1, 4, 5, 18, 6}, format.prompt("define: kettle", 16).ids());
        PromptFormat.Encoded cut = format.prompt("define: kettle", 4);
        assertArrayEquals(new int[] {1, 4, 5, 6}, cut.ids(), "the prompt's end goes, the marker stays");
        assertTrue(cut.truncated());
        assertEquals(2, format.overhead(), "[BOS] and => around an empty turn");
        assertArrayEquals(new int[] {7, 14, 2}, format.response("a tower", 8).ids(), "a response ends with EOS");

        try (Policy policy = Policy.create(new ModelConfig(1, 16, 2, 32, tokenizer.vocabSize()), format, 3)) {
            String sha = CheckpointFiles.save(policy, null, tmp.resolve("c"), "chat", null, Map.of(), Map.of());
            try (Policy loaded = CheckpointFiles.load(tmp.resolve("c"), sha)) {
                assertEquals(template, loaded.format().chat().source(), "the checkpoint carries the chat template");
                assertArrayEquals(new int[] {1, 4, 5, 18, 6}, loaded.format().prompt("define: kettle", 16).ids());
            }
        }
    }

    @Test
    void aChatResponseEndsWithTheTemplatesEndOfTurnAndSamplingStopsOnIt() throws Exception {
        // the test tokenizer plus a special [EOT], which the template closes every turn with (as ChatML's <|im_end|>)
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                HuggingFaceTokenizerTest.FILE.toFile());
        root.withArray("added_tokens").addObject().put("id", 29).put("content", "[EOT]").put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", false).put("special", true);
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("model").get("vocab")).put("[EOT]", 29);
        Path file = tmp.resolve("tokenizer.json");
        json.writeValue(file.toFile(), root);
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.load(file, null, "[EOS]", "[PAD]");
        String template = "{% for m in messages %}{{ m['content'] }} [EOT] {% endfor %}{% if add_generation_prompt %}=>{% endif %}";
        PromptFormat format = PromptFormat.chat(new JinjaChatTemplate(template, null, "[EOS]"), tokenizer);
        assertEquals(29, format.endOfTurn());
        assertArrayEquals(new int[] {7, 14, 29}, format.response("a tower", 8).ids(), "the human response ends its turn as the template does");
        assertArrayEquals(new int[] {7, 29}, format.sampled(new int[] {7}, true, 8).ids());
        assertEquals(java.util.Set.of(2, 29), format.stopIds());
        assertArrayEquals(new int[] {4, 29, 6}, format.prompt("define", 8).ids(), "no BOS in front");
        // a template that renders no assistant turn leaves the EOS as the end
        PromptFormat plain = PromptFormat.chat(new JinjaChatTemplate("{{ messages[0]['content'] }} =>", null, "[EOS]"), tokenizer);
        assertEquals(2, plain.endOfTurn());
    }
}
