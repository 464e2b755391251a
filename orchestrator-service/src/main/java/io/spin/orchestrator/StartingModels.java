package io.spin.orchestrator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.spin.contract.CheckpointRef;
import io.spin.data.hf.HfConfig;
import io.spin.storage.ObjectStorage;

/**
 * What the orchestrator checks of a run's starting model (sftCheckpoint or baseModel) before it accepts the run: that a
 * checkpoint is there, and that the run's token limits fit its context. The services verify its SHA-256 when they
 * load it; a typo in a URI or an imported model with a short context is refused here, naming the field.
 */
final class StartingModels {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StartingModels() {
    }

    static void check(ObjectStorage storage, CheckpointRef ref, String field, int maxPromptTokens, int maxResponseTokens) {
        if (ref == null) {
            return;
        }
        String folder;
        try {
            folder = storage.keyOf(ref.getUri().endsWith("/") ? ref.getUri() : ref.getUri() + "/");
        } catch (IllegalArgumentException e) {
            throw new InvalidRunRequest(field + ".uri", field + ".uri: " + e.getMessage());
        }
        if (!storage.exists(folder + "manifest.json")) {
            throw new InvalidRunRequest(field + ".uri", field + ": no checkpoint at " + ref.getUri() + " (no manifest.json)");
        }
        int context = context(storage, folder, ref.getUri(), field);
        if ((long) maxPromptTokens + maxResponseTokens > context) {
            throw new InvalidRunRequest("maxResponseTokens", "maxPromptTokens " + maxPromptTokens + " + maxResponseTokens " + maxResponseTokens
                    + " exceed the context of the " + field + " (" + context + " tokens)");
        }
    }

    /** Positions the model holds: an imported model's config.json says it one way, SPIN's checkpoints another. */
    private static int context(ObjectStorage storage, String folder, String uri, String field) {
        String text = new String(storage.getBytes(folder + "config.json"), StandardCharsets.UTF_8);
        try {
            JsonNode config = JSON.readTree(text);
            if (config.has("architectures")) {
                return HfConfig.parse(uri + "config.json", text).usableContext();
            }
            if (config.path("base").hasNonNull("uri")) {
                // a LoRA checkpoint: its base holds the model
                String base = config.path("base").path("uri").asText();
                return context(storage, storage.keyOf(base.endsWith("/") ? base : base + "/"), base, field);
            }
            return config.path("model").path("contextLength").asInt(Integer.MAX_VALUE);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidRunRequest(field, field + ": " + e.getMessage());
        }
    }
}
