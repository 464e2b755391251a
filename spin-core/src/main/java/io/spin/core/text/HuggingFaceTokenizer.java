package io.spin.core.text;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.spin.data.Sha256;
import io.spin.data.text.Tokenizer;

/**
 * A local Hugging Face {@code tokenizer.json} through DJL's tokenizers binding (its native library ships in the jar,
 * so this works offline). BOS, EOS and PAD are named tokens of the file's {@code added_tokens}; one token may serve
 * several roles (e.g. GPT-2's {@code <|endoftext|>}). Checkpoints carry the file, so a model never meets another
 * tokenizer.
 */
public final class HuggingFaceTokenizer implements Tokenizer {
    public static final String FILE = "tokenizer.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ai.djl.huggingface.tokenizers.HuggingFaceTokenizer tokenizer;
    private final byte[] json;
    private final String bosToken;
    private final String eosToken;
    private final String padToken;
    private final int bos;
    private final int eos;
    private final int pad;
    private final int vocabSize;

    private HuggingFaceTokenizer(byte[] json, String source, String bosToken, String eosToken, String padToken) throws IOException {
        this.json = json;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.padToken = padToken;
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not a tokenizer.json (" + e.getMessage() + ")");
        }
        Map<String, Integer> added = new HashMap<>();
        int maxId = -1;
        for (JsonNode token : root.path("added_tokens")) {
            added.put(token.path("content").asText(), token.path("id").asInt());
            maxId = Math.max(maxId, token.path("id").asInt());
        }
        for (JsonNode id : root.path("model").path("vocab")) {
            maxId = Math.max(maxId, id.isInt() ? id.asInt() : -1);
        }
        this.vocabSize = maxId + 1;
        this.bos = special(added, bosToken, "BOS", source);
        this.eos = special(added, eosToken, "EOS", source);
        this.pad = special(added, padToken, "PAD", source);
        this.tokenizer = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
                Map.of("addSpecialTokens", "false"));
    }

    public static HuggingFaceTokenizer load(Path file, String bosToken, String eosToken, String padToken) throws IOException {
        return new HuggingFaceTokenizer(Files.readAllBytes(file), file.toString(), bosToken, eosToken, padToken);
    }

    private static int special(Map<String, Integer> added, String token, String role, String source) {
        Integer id = added.get(token);
        if (id == null) {
            throw new IllegalArgumentException(source + ": " + role + " token '" + token + "' is not among its added_tokens "
                    + added.keySet());
        }
        return id;
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, true);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int bos() {
        return bos;
    }

    @Override
    public int eos() {
        return eos;
    }

    @Override
    public int pad() {
        return pad;
    }

    @Override
    public String name() {
        return "huggingface:" + Sha256.of(json).substring(0, 16);
    }

    public byte[] json() {
        return json.clone();
    }

    /** The settings a checkpoint's config.json records to rebuild this tokenizer from the file beside it. */
    public String bosToken() {
        return bosToken;
    }

    public String eosToken() {
        return eosToken;
    }

    public Map<String, Object> describe() {
        return Map.of("type", "huggingface", "name", name(), "file", FILE, "bos", bosToken, "eos", eosToken, "pad", padToken,
                "vocabSize", vocabSize);
    }

    /** Rebuilds from a checkpoint folder and its recorded settings. */
    public static HuggingFaceTokenizer fromCheckpoint(Path dir, Map<?, ?> described) {
        try {
            return load(dir.resolve(FILE), (String) described.get("bos"), (String) described.get("eos"), (String) described.get("pad"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
