package io.spin.checkpoint;

import io.spin.data.model.LoraConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.types.DataType;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.TestPolicies;
import io.spin.core.lora.Lora;
import io.spin.core.model.Policy;
import io.spin.core.train.AdamW;
import io.spin.data.checkpoint.Manifest;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.PromptFormat;
import io.spin.stack.SharedStack;
import io.spin.storage.ObjectStorage;

/** A LoRA checkpoint holds the adapters only and names its base, stored once, through the real S3 server. */
class LoraCheckpointTest {
    private static final int[] IDS = {256, 68, 101, 102, 105, 110, 101, 58};

    @TempDir
    Path tmp;

    @Test
    void anAdapterCheckpointHoldsOnlyTheAdaptersAndLoadsOntoItsStoredBase() throws Exception {
        ObjectStorage storage = SharedStack.endpoints().objectStorage();
        CheckpointStore store = new CheckpointStore(storage, tmp.resolve("cache"));
        String run = "tests/" + UUID.randomUUID() + "/";
        CheckpointStore.Stored base;
        try (Policy fresh = Policy.create(ModelConfig.preset("llama-tiny"), new PromptFormat(PromptFormat.DEFAULT_TEMPLATE, new ByteTokenizer()), 8,
                DataType.FLOAT32)) {
            CheckpointFiles.save(fresh, null, tmp.resolve("base"), "base", null, Map.of(), Map.of());
            base = store.upload(tmp.resolve("base"), run + "base/");
        }
        CheckpointStore.Stored first;
        CheckpointStore.Stored second;
        float[] firstLogits;
        float[] secondLogits;
        try (Policy policy = store.load(base.uri(), base.manifestSha256())) {
            assertEquals(new Policy.StoredModel(base.uri(), base.manifestSha256()), policy.base());
            Lora lora = Lora.create(policy.config(), new LoraConfig(8, 16, null), policy.manager(), 1);
            policy.attach(lora);
            TestPolicies.randomiseB(lora, 2);
            firstLogits = TestPolicies.logits(policy, IDS);
            CheckpointFiles.save(policy, AdamW.defaults(0), tmp.resolve("a1"), "a1", null, Map.of(), Map.of());
            first = store.upload(tmp.resolve("a1"), run + "iter-1/");
            TestPolicies.randomiseB(lora, 3);
            secondLogits = TestPolicies.logits(policy, IDS);
            CheckpointFiles.save(policy, null, tmp.resolve("a2"), "a2", null, Map.of(), Map.of());
            second = store.upload(tmp.resolve("a2"), run + "iter-2/");
        }
        Manifest manifest = CheckpointFiles.readManifest(tmp.resolve("a1"));
        assertFalse(Files.exists(tmp.resolve("a1").resolve(CheckpointFiles.PARAMS)), "no base weights in an adapter checkpoint");
        long adapterBytes = Files.size(tmp.resolve("a2").resolve("adapter_model.safetensors"));
        long baseBytes = Files.size(tmp.resolve("base").resolve(CheckpointFiles.PARAMS));
        assertTrue(adapterBytes < baseBytes / 4, "adapters " + adapterBytes + " bytes, base " + baseBytes);
        assertTrue(manifest.files().stream().anyMatch(f -> f.name().equals(CheckpointFiles.OPTIMIZER)), "optimizer state kept for resuming");

        var refused = assertThrows(IllegalArgumentException.class, () -> CheckpointFiles.load(tmp.resolve("a1"), null));
        assertTrue(refused.getMessage().contains("holds LoRA adapters on the base " + base.uri() + "@" + base.manifestSha256()), refused.getMessage());

        CheckpointStore fresh = new CheckpointStore(storage, tmp.resolve("cache2"));
        try (Policy loaded = fresh.load(first.uri(), first.manifestSha256())) {
            assertArrayEquals(firstLogits, TestPolicies.logits(loaded, IDS), "base fetched and loaded first, then its adapters");
            var baseArray = loaded.model().getParameters().get(0).getValue().getArray();
            assertTrue(fresh.swapAdapters(loaded, second.uri(), second.manifestSha256()));
            assertArrayEquals(secondLogits, TestPolicies.logits(loaded, IDS), "the next iteration's adapters on the base kept loaded");
            assertSame(baseArray, loaded.model().getParameters().get(0).getValue().getArray(), "the base was not reloaded");
            assertFalse(fresh.swapAdapters(loaded, base.uri(), base.manifestSha256()), "a whole model is loaded, not swapped in");
        }
        storage.deletePrefix(run);
    }
}
