package io.spin.core.hf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.spin.data.text.ByteTokenizer;

/**
 * SPIN's byte tokenizer as a Hugging Face {@code tokenizer.json}, so a model SPIN created exports with a tokenizer
 * that transformers loads: a byte-level BPE with no merges whose token for each byte is that byte's id (GPT-2's
 * bytes-to-unicode alphabet names the 256 bytes), plus the three special tokens at 256, 257 and 258.
 */
final class ByteTokenizerJson {
    static final String BOS = "<|bos|>";
    static final String EOS = "<|eos|>";
    static final String PAD = "<|pad|>";

    private ByteTokenizerJson() {
    }

    static Map<String, Object> tokenizer() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        String[] alphabet = bytesToUnicode();
        for (int b = 0; b < 256; b++) {
            vocab.put(alphabet[b], b);
        }
        List<Map<String, Object>> added = new ArrayList<>();
        added.add(special(ByteTokenizer.BOS, BOS));
        added.add(special(ByteTokenizer.EOS, EOS));
        added.add(special(ByteTokenizer.PAD, PAD));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("vocab", vocab);
        model.put("merges", List.of());
        Map<String, Object> byteLevel = new LinkedHashMap<>();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", false);
        byteLevel.put("use_regex", false);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("truncation", null);
        json.put("padding", null);
        json.put("added_tokens", added);
        json.put("normalizer", null);
        json.put("pre_tokenizer", byteLevel);
        json.put("post_processor", null);
        json.put("decoder", byteLevel);
        json.put("model", model);
        return json;
    }

    private static Map<String, Object> special(int id, String content) {
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("id", id);
        token.put("content", content);
        token.put("single_word", false);
        token.put("lstrip", false);
        token.put("rstrip", false);
        token.put("normalized", false);
        token.put("special", true);
        return token;
    }

    /** GPT-2's printable stand-in for each byte: printable Latin-1 stands for itself, the rest maps above 255. */
    static String[] bytesToUnicode() {
        String[] alphabet = new String[256];
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            alphabet[b] = new String(Character.toChars(printable ? b : 256 + next++));
        }
        return alphabet;
    }
}
