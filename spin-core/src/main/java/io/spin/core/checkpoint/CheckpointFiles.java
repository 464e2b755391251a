package io.spin.core.checkpoint;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.spin.core.model.DecoderModel;
import io.spin.data.model.ModelConfig;
import io.spin.data.Sha256;
import io.spin.data.checkpoint.Manifest;
import io.spin.core.model.Policy;
import io.spin.data.text.ByteTokenizer;
import io.spin.core.text.HuggingFaceTokenizer;
import io.spin.data.text.PromptFormat;
import io.spin.data.text.Tokenizer;
import io.spin.core.train.AdamW;

/**
 * A checkpoint folder: model.params (DJL parameter format), config.json (model shape, tokenizer, prompt template),
 * optionally optimizer.bin (AdamW state, for resuming), and manifest.json, written last, with the SHA-256 of each.
 * An imported Hugging Face model is a folder in its own layout with the same manifest ({@code HfImport}).
 */
public final class CheckpointFiles {
    public static final String PARAMS = "model.params";
    public static final String CONFIG = "config.json";
    public static final String OPTIMIZER = "optimizer.bin";
    private static final String BASE = "base";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private CheckpointFiles() {
    }

    /** Writes the checkpoint and returns the SHA-256 of its manifest (what events point at). */
    public static String save(Policy policy, AdamW optimizer, Path dir, String id, Manifest.Parent parent,
                              Map<String, Object> training, Map<String, Object> metrics) throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(Manifest.FILE_NAME));
        if (policy.lora() != null) {
            return saveAdapter(policy, optimizer, dir, id, parent, training, metrics);
        }
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(dir.resolve(PARAMS))))) {
            policy.model().saveParameters(out);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", policy.config());
        if (policy.format().chat() != null) {
            config.put("chatTemplate", policy.format().chat().source());
        } else {
            config.put("promptTemplate", policy.format().template());
        }
        List<String> names = new ArrayList<>(List.of(PARAMS, CONFIG));
        if (policy.format().tokenizer() instanceof HuggingFaceTokenizer hf) {
            config.put("tokenizer", hf.describe());
            Files.write(dir.resolve(HuggingFaceTokenizer.FILE), hf.json());
            names.add(HuggingFaceTokenizer.FILE);
        } else {
            config.put("tokenizer", Map.of("type", "bytes", "name", policy.format().tokenizer().name(),
                    "vocabSize", policy.format().tokenizer().vocabSize()));
        }
        JSON.writeValue(dir.resolve(CONFIG).toFile(), config);
        return finish(optimizer, dir, id, parent, training, metrics, names);
    }

    /**
     * A LoRA policy's checkpoint: its adapters only, in PEFT's layout (adapter_config.json, adapter_model.safetensors:
     * the folder is also a PEFT adapter directory), and config.json naming the base checkpoint by URI and manifest
     * SHA-256. An iteration then stores megabytes, and the base once.
     */
    private static String saveAdapter(Policy policy, AdamW optimizer, Path dir, String id, Manifest.Parent parent,
                                      Map<String, Object> training, Map<String, Object> metrics) throws IOException {
        Policy.StoredModel base = policy.base();
        if (base == null) {
            throw new IllegalStateException("an adapter checkpoint names its base checkpoint, and this policy's base was never stored");
        }
        io.spin.core.hf.HfModels.savePeft(policy, dir, base.uri() + "@" + base.manifestSha256(), io.spin.data.hf.TensorType.F32);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(BASE, Map.of("uri", base.uri(), "manifestSha256", base.manifestSha256()));
        JSON.writeValue(dir.resolve(CONFIG).toFile(), config);
        return finish(optimizer, dir, id, parent, training, metrics,
                new ArrayList<>(List.of(io.spin.core.hf.HfModels.PEFT_WEIGHTS, io.spin.core.hf.HfModels.PEFT_CONFIG, CONFIG)));
    }

    /** The base an adapter checkpoint's folder names, or null for a checkpoint that holds a whole model. */
    public static Policy.StoredModel baseOf(Path dir) throws IOException {
        Map<?, ?> config = JSON.readValue(dir.resolve(CONFIG).toFile(), Map.class);
        if (!(config.get(BASE) instanceof Map<?, ?> base)) {
            return null;
        }
        if (!(base.get("uri") instanceof String uri) || !(base.get("manifestSha256") instanceof String sha) || !sha.matches("[0-9a-f]{64}")) {
            throw new CorruptCheckpointException(dir.resolve(CONFIG) + ": 'base' is " + base + "; a uri and a 64-digit manifestSha256 are needed");
        }
        return new Policy.StoredModel(uri, sha);
    }

    private static String finish(AdamW optimizer, Path dir, String id, Manifest.Parent parent, Map<String, Object> training,
                                 Map<String, Object> metrics, List<String> names) throws IOException {
        if (optimizer != null) {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(dir.resolve(OPTIMIZER))))) {
                optimizer.save(out);
            }
            names.add(OPTIMIZER);
        }
        List<Manifest.FileEntry> files = new ArrayList<>();
        for (String name : names) {
            files.add(new Manifest.FileEntry(name, Sha256.of(dir.resolve(name)), Files.size(dir.resolve(name))));
        }
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, id, parent, Instant.now().toString(), files,
                training == null ? Map.of() : training, metrics == null ? Map.of() : metrics);
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        Files.write(dir.resolve(Manifest.FILE_NAME), bytes);
        return Sha256.of(bytes);
    }

    /**
     * Verifies the manifest (against {@code expectedManifestSha256} when given) and every file it lists, then loads
     * the model. Refuses, naming the file, anything missing, truncated or altered.
     */
    public static Policy load(Path dir, String expectedManifestSha256) throws IOException {
        Manifest manifest = verify(dir, expectedManifestSha256);
        Policy.StoredModel base = baseOf(dir);
        if (base != null) {
            throw new IllegalArgumentException(dir + " holds LoRA adapters on the base " + base.uri() + "@" + base.manifestSha256()
                    + ": load it through a CheckpointStore, which fetches the base, or with loadAdapters onto the loaded base");
        }
        Map<?, ?> config = JSON.readValue(dir.resolve(CONFIG).toFile(), Map.class);
        if (config.containsKey("architectures")) {
            // an imported Hugging Face model, verified like any checkpoint and read in its own layout
            return io.spin.core.hf.HfModels.load(dir, PromptFormat.DEFAULT_TEMPLATE);
        }
        ModelConfig model = JSON.convertValue(config.get("model"), ModelConfig.class);
        Tokenizer tokenizer = tokenizer(dir, (Map<?, ?>) config.get("tokenizer"));
        NDManager manager = Policy.newManager();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(PARAMS))))) {
            DecoderModel gpt = DecoderModel.of(model);
            gpt.loadParameters(manager, in);
            for (Pair<String, Parameter> p : gpt.getParameters()) {
                p.getValue().getArray().setRequiresGradient(true);
            }
            PromptFormat format = config.get("chatTemplate") instanceof String chat
                    ? PromptFormat.chat(new io.spin.core.text.JinjaChatTemplate(chat, tokenizer instanceof HuggingFaceTokenizer hf ? hf.bosToken() : "",
                            tokenizer instanceof HuggingFaceTokenizer hf2 ? hf2.eosToken() : ""), tokenizer)
                    : new PromptFormat((String) config.get("promptTemplate"), tokenizer);
            return Policy.of(manager, gpt, format);
        } catch (MalformedModelException | RuntimeException e) {
            manager.close();
            throw new CorruptCheckpointException(dir.resolve(PARAMS) + ": cannot be loaded (" + e.getMessage() + ") for manifest "
                    + manifest.id());
        }
    }

    /**
     * The adapters of a verified adapter checkpoint folder, read for {@code base} (which must be the model the folder
     * names); not attached.
     */
    public static io.spin.core.lora.Lora loadAdapters(Path dir, String expectedManifestSha256, Policy base) throws IOException {
        verify(dir, expectedManifestSha256);
        Policy.StoredModel named = baseOf(dir);
        if (named == null) {
            throw new IllegalArgumentException(dir + " holds a whole model, not LoRA adapters");
        }
        if (base.base() == null || !named.manifestSha256().equals(base.base().manifestSha256())) {
            throw new IllegalArgumentException(dir + " holds adapters for the base " + named.manifestSha256() + ", not for "
                    + (base.base() == null ? "a model that was never stored" : base.base().manifestSha256()));
        }
        return io.spin.core.hf.HfModels.readPeft(dir, base);
    }

    private static Tokenizer tokenizer(Path dir, Map<?, ?> described) {
        Object type = described.get("type");
        if ("huggingface".equals(type)) {
            return HuggingFaceTokenizer.fromCheckpoint(dir, described);
        }
        if (ByteTokenizer.NAME.equals(described.get("name"))) {
            return new ByteTokenizer();
        }
        throw new CorruptCheckpointException(dir.resolve(CONFIG) + ": unknown tokenizer " + described);
    }

    /** Restores the optimizer state saved with the checkpoint, or returns false when it has none. */
    public static boolean loadOptimizer(Path dir, AdamW optimizer, NDManager manager) throws IOException {
        if (!Files.exists(dir.resolve(OPTIMIZER))) {
            return false;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(OPTIMIZER))))) {
            optimizer.load(in, manager);
        }
        return true;
    }

    public static Manifest readManifest(Path dir) throws IOException {
        return JSON.readValue(dir.resolve(Manifest.FILE_NAME).toFile(), Manifest.class);
    }

    /** Checks every SHA-256; returns the manifest. */
    public static Manifest verify(Path dir, String expectedManifestSha256) throws IOException {
        Path manifestFile = dir.resolve(Manifest.FILE_NAME);
        if (!Files.exists(manifestFile)) {
            throw new CorruptCheckpointException(manifestFile + ": missing (an incomplete or interrupted checkpoint)");
        }
        if (expectedManifestSha256 != null) {
            String actual = Sha256.of(manifestFile);
            if (!actual.equals(expectedManifestSha256)) {
                throw new CorruptCheckpointException(manifestFile + ": SHA-256 " + actual + " does not match the expected "
                        + expectedManifestSha256);
            }
        }
        Manifest manifest;
        try {
            manifest = readManifest(dir);
        } catch (IOException e) {
            throw new CorruptCheckpointException(manifestFile + ": not a readable manifest (" + e.getMessage() + ")");
        }
        if (manifest.formatVersion() != Manifest.FORMAT_VERSION) {
            throw new CorruptCheckpointException(manifestFile + ": unsupported format version " + manifest.formatVersion());
        }
        for (Manifest.FileEntry entry : manifest.files()) {
            Path file = dir.resolve(entry.name()).normalize();
            if (!file.startsWith(dir.normalize())) {
                throw new CorruptCheckpointException(manifestFile + ": file name '" + entry.name() + "' escapes the checkpoint folder");
            }
            if (!Files.exists(file)) {
                throw new CorruptCheckpointException(file + ": missing (listed in the manifest)");
            }
            long size = Files.size(file);
            if (size != entry.bytes()) {
                throw new CorruptCheckpointException(file + ": " + size + " bytes but the manifest says " + entry.bytes()
                        + (size < entry.bytes() ? " (truncated)" : ""));
            }
            String sha = Sha256.of(file);
            if (!sha.equals(entry.sha256())) {
                throw new CorruptCheckpointException(file + ": SHA-256 " + sha + " does not match the manifest's " + entry.sha256());
            }
        }
        return manifest;
    }
}
