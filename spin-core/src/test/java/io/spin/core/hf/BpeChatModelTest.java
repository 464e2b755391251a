package io.spin.core.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.spin.core.model.Policy;
import io.spin.core.text.HuggingFaceTokenizer;
import io.spin.core.text.JinjaChatTemplate;
import io.spin.data.hf.TensorType;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.ChatRenderer.Message;
import io.spin.data.text.PromptFormat;

/**
 * A Llama-family model with a byte-level BPE tokenizer and Qwen2's ChatML template (the fixture in
 * src/test/resources/hf/bpe): prompts, multi-turn ones too, are the template's rendering tokenized without adding
 * special tokens again, and a response ends with the template's EOS.
 */
class BpeChatModelTest {
    static final Path BPE = Path.of("src/test/resources/hf/bpe");

    @TempDir
    Path tmp;

    /** A random Qwen2-shaped model with the BPE tokenizer, saved as a Hugging Face directory. */
    static Path writeModel(Path dir) throws Exception {
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.load(BPE.resolve("tokenizer.json"), "<|im_end|>", "<|im_end|>", "<|endoftext|>");
        String template = HfModels.chatTemplate(BPE);
        PromptFormat format = PromptFormat.chat(new JinjaChatTemplate(template, "", "<|im_end|>"), tokenizer);
        ModelConfig config = new ModelConfig(2, 48, 4, 256, tokenizer.vocabSize(), 96, ModelConfig.SILU, 1e-6, "Qwen2ForCausalLM", 2,
                1000000.0, true, true);
        try (Policy policy = Policy.create(config, format, 21)) {
            HfModels.save(policy, dir, TensorType.BF16);
        }
        Files.copy(BPE.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    @Test
    void theBpeTokenizerMergesRoundTripsAndKeepsSpecialTokensWhole() throws Exception {
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.load(BPE.resolve("tokenizer.json"), "<|im_end|>", "<|im_end|>", "<|endoftext|>");
        assertEquals(659, tokenizer.vocabSize(), "256 bytes + 400 merges + 3 special tokens");
        String text = "Define: kettle — a pot with a spout, café";
        int[] ids = tokenizer.encode(text);
        assertEquals(text, tokenizer.decode(ids));
        assertTrue(ids.length < 0.6 * text.getBytes(StandardCharsets.UTF_8).length, "merges apply: " + ids.length + " tokens");
        int[] chat = tokenizer.encode("<|im_start|>user\nHi<|im_end|>");
        assertEquals(657, chat[0], "<|im_start|> is one token");
        assertEquals(658, chat[chat.length - 1], "<|im_end|> is one token");
    }

    @Test
    void aConversationIsRenderedByTheChatTemplateAndTheResponseEndsWithItsEos() throws Exception {
        Path dir = writeModel(tmp.resolve("qwen2-bpe"));
        try (Policy policy = HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE)) {
            PromptFormat format = policy.format();
            List<Message> context = List.of(new Message("user", "Define: kettle"), new Message("assistant", "a pot for boiling water"));
            int[] prompt = format.prompt(context, "And a spout?", 256).ids();
            assertArrayEquals(format.tokenizer().encode("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
                    + "Define: kettle<|im_end|>\n<|im_start|>assistant\na pot for boiling water<|im_end|>\n<|im_start|>user\nAnd a spout?"
                    + "<|im_end|>\n<|im_start|>assistant\n"), prompt);
            assertEquals(657, prompt[0], "no BOS added before the template's own tokens");
            int[] response = format.response("a tube", 16).ids();
            assertEquals(658, response[response.length - 1], "<|im_end|> ends the response");
            assertArrayEquals(format.tokenizer().encode("a tube"), Arrays.copyOf(response, response.length - 1));
            assertEquals("Qwen2ForCausalLM", policy.config().architecture());
        }
    }
}
