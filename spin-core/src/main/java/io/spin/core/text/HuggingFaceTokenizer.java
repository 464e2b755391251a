package io.spin.core.text;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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
    private final Set<Integer> stops;
    private final Map<String, Object> given;

    private HuggingFaceTokenizer(byte[] json, String source, String bosToken, String eosToken, String padToken, Settings settings)
            throws IOException {
        this.json = json;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.padToken = padToken;
        this.given = settings.given();
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
        this.bos = bosToken == null ? -1 : special(added, bosToken, "BOS", source);
        this.eos = special(added, eosToken, "EOS", source);
        this.pad = special(added, padToken, "PAD", source);
        Set<Integer> stops = new TreeSet<>(settings.stopIds());
        stops.add(eos);
        for (int id : stops) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException(source + ": stop id " + id + " (an eos_token_id of the model's configs) is not a token of its "
                        + vocabSize);
            }
        }
        this.stops = Collections.unmodifiableSet(stops);
        this.tokenizer = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
                Map.of("addSpecialTokens", "false"));
    }

    /**
     * What a model directory says beside tokenizer.json: the ids that end a turn (every eos_token_id of config.json and
     * generation_config.json; the EOS is always one), and tokenizer_config.json's other fields as given, kept so an
     * export writes them back.
     */
    public record Settings(Set<Integer> stopIds, Map<String, Object> given) {
        public static final Settings NONE = new Settings(Set.of(), Map.of());
    }

    /** bosToken may be null: the tokenizer has none, and prompts start without one. */
    public static HuggingFaceTokenizer load(Path file, String bosToken, String eosToken, String padToken) throws IOException {
        return load(file, bosToken, eosToken, padToken, Settings.NONE);
    }

    public static HuggingFaceTokenizer load(Path file, String bosToken, String eosToken, String padToken, Settings settings)
            throws IOException {
        return new HuggingFaceTokenizer(Files.readAllBytes(file), file.toString(), bosToken, eosToken, padToken, settings);
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
    public Set<Integer> stopIds() {
        return stops;
    }

    /** tokenizer_config.json's fields as the model directory gave them (empty for a checkpoint made before they were kept). */
    public Map<String, Object> givenConfig() {
        return given;
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
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("type", "huggingface");
        d.put("name", name());
        d.put("file", FILE);
        d.put("bos", bosToken); // null: no BOS
        d.put("eos", eosToken);
        d.put("pad", padToken);
        d.put("vocabSize", vocabSize);
        d.put("stopIds", List.copyOf(stops));
        d.put("tokenizerConfig", given);
        return d;
    }

    /** Rebuilds from a checkpoint folder and its recorded settings (stop ids and given fields absent in older ones). */
    @SuppressWarnings("unchecked")
    public static HuggingFaceTokenizer fromCheckpoint(Path dir, Map<?, ?> described) {
        Set<Integer> stops = new TreeSet<>();
        if (described.get("stopIds") instanceof List<?> ids) {
            ids.forEach(id -> stops.add(((Number) id).intValue()));
        }
        Map<String, Object> given = described.get("tokenizerConfig") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        try {
            return load(dir.resolve(FILE), (String) described.get("bos"), (String) described.get("eos"), (String) described.get("pad"),
                    new Settings(stops, given));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
