package io.spin.data.hf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.spin.data.Sha256;
import io.spin.data.checkpoint.Manifest;

/**
 * A model directory in Hugging Face layout made into a SPIN checkpoint without converting anything: its files are
 * checked (config against SPIN's families, every tensor against the config, the tokenizer present) and listed with
 * their SHA-256 in a manifest, which services verify before they load the model, as for any checkpoint. The manifest
 * depends on the files only, so the same directory imported twice is the same checkpoint.
 */
public final class HfImport {
    public static final String CONFIG = "config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    static final String GENERATION_CONFIG = "generation_config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private HfImport() {
    }

    /** The checked directory: its config and the files a checkpoint of it holds. */
    public record Checked(HfConfig config, List<String> files) {
    }

    public static Checked check(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a directory");
        }
        HfConfig config = HfConfig.read(dir.resolve(CONFIG));
        ModelWeights weights = ModelWeights.open(dir);
        HfTensors.check(config, weights);
        for (String required : List.of(TOKENIZER, TOKENIZER_CONFIG)) {
            if (!Files.isRegularFile(dir.resolve(required))) {
                throw new IllegalArgumentException(dir + ": " + required + " is missing (the model's tokenizer travels with it)");
            }
        }
        List<String> files = new ArrayList<>(List.of(CONFIG, TOKENIZER, TOKENIZER_CONFIG));
        if (Files.isRegularFile(dir.resolve(GENERATION_CONFIG))) {
            files.add(GENERATION_CONFIG);
        }
        files.addAll(weights.files());
        return new Checked(config, files);
    }

    /** The checkpoint's manifest.json for the checked directory; its SHA-256 is the checkpoint's identity. */
    public static byte[] manifest(Path dir, Checked checked) {
        try {
            List<Manifest.FileEntry> entries = new ArrayList<>();
            for (String name : checked.files()) {
                entries.add(new Manifest.FileEntry(name, Sha256.of(dir.resolve(name)), Files.size(dir.resolve(name))));
            }
            Map<String, Object> training = new LinkedHashMap<>();
            training.put("stage", "import");
            training.put("architecture", checked.config().architecture());
            training.put("format", "huggingface");
            String id = "import/" + Sha256.of(String.join(",", new TreeSet<>(entries.stream().map(Manifest.FileEntry::sha256).toList()))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
            return JSON.writeValueAsBytes(new Manifest(Manifest.FORMAT_VERSION, id, null, null, entries, training, Map.of()));
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }
}
