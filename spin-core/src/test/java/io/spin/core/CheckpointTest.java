package io.spin.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.checkpoint.CheckpointStore;
import io.spin.core.checkpoint.CorruptCheckpointException;
import io.spin.data.checkpoint.Manifest;
import io.spin.core.model.Masks;
import io.spin.core.model.Policy;
import io.spin.storage.ObjectStorage;
import io.spin.core.train.AdamW;
import io.spin.core.train.SftTrainer;
import io.spin.core.train.TokenizedExample;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingListener;
import io.spin.stack.SharedStack;
import io.spin.stack.StackEndpoints;

class CheckpointTest {
    @TempDir
    Path tmp;

    static float[] logits(Policy policy) {
        try (NDManager m = policy.manager().newSubManager()) {
            long[] ids = {256, 68, 101, 102, 105, 110, 101, 58, 32, 120};
            long[] pos = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
            return policy.model().forward(policy.parameterStore(), m.create(ids, new Shape(1, 10)), m.create(pos, new Shape(1, 10)),
                    Masks.causal(m, 10), null, false).toFloatArray();
        }
    }

    @Test
    void reloadGivesBitIdenticalLogitsAndTheManifestListsEveryFile() throws Exception {
        try (Policy policy = TestPolicies.tiny(31)) {
            AdamW optimizer = AdamW.defaults(0.0);
            List<TokenizedExample> data = List.of(new TokenizedExample("a", policy.format().prompt("Define: x", 64).ids(),
                    policy.format().response("a letter", 32).ids()));
            new SftTrainer(TrainingConfig.of(1, 1, 1e-3, 1)).train(policy, data, optimizer, TrainingListener.NONE);
            Manifest.Parent parent = new Manifest.Parent("run/sft", "s3://spin/runs/run/sft/", "ab".repeat(32));
            String sha = CheckpointFiles.save(policy, optimizer, tmp.resolve("ckpt"), "run/iter-0", parent, Map.of("beta", 0.1),
                    Map.of("loss", 0.5));
            Manifest manifest = CheckpointFiles.readManifest(tmp.resolve("ckpt"));
            assertEquals(List.of("model.params", "config.json", "optimizer.bin"), manifest.files().stream().map(Manifest.FileEntry::name).toList());
            assertEquals(parent, manifest.parent());
            try (Policy loaded = CheckpointFiles.load(tmp.resolve("ckpt"), sha)) {
                assertArrayEquals(logits(policy), logits(loaded));
                assertEquals(policy.format().template(), loaded.format().template());
                AdamW restored = AdamW.defaults(0.0);
                assertTrue(CheckpointFiles.loadOptimizer(tmp.resolve("ckpt"), restored, loaded.manager()));
                assertEquals(1, restored.steps());
            }
        }
    }

    @Test
    void aFlippedByteATruncatedFileAndAWrongManifestAreRefusedNamingTheFile() throws Exception {
        try (Policy policy = TestPolicies.tiny(32)) {
            Path dir = tmp.resolve("ckpt");
            String sha = CheckpointFiles.save(policy, null, dir, "x", null, Map.of(), Map.of());
            try (RandomAccessFile f = new RandomAccessFile(dir.resolve("model.params").toFile(), "rw")) {
                f.seek(f.length() / 2);
                int b = f.read();
                f.seek(f.length() / 2);
                f.write(b ^ 0x01);
            }
            var flipped = assertThrows(CorruptCheckpointException.class, () -> CheckpointFiles.load(dir, sha));
            assertTrue(flipped.getMessage().contains("model.params") && flipped.getMessage().contains("SHA-256"), flipped.getMessage());

            String sha2 = CheckpointFiles.save(policy, null, dir, "x", null, Map.of(), Map.of());
            try (RandomAccessFile f = new RandomAccessFile(dir.resolve("config.json").toFile(), "rw")) {
                f.setLength(f.length() - 5);
            }
            var truncated = assertThrows(CorruptCheckpointException.class, () -> CheckpointFiles.load(dir, sha2));
            assertTrue(truncated.getMessage().contains("config.json") && truncated.getMessage().contains("truncated"), truncated.getMessage());

            CheckpointFiles.save(policy, null, dir, "x", null, Map.of(), Map.of());
            var wrong = assertThrows(CorruptCheckpointException.class, () -> CheckpointFiles.load(dir, "00".repeat(32)));
            assertTrue(wrong.getMessage().contains("manifest.json"), wrong.getMessage());
            Files.delete(dir.resolve("manifest.json"));
            var missing = assertThrows(CorruptCheckpointException.class, () -> CheckpointFiles.load(dir, null));
            assertTrue(missing.getMessage().contains("manifest.json") && missing.getMessage().contains("missing"), missing.getMessage());
        }
    }

    @Test
    void roundTripThroughTheS3ServerAndACorruptedObjectIsRefused() throws Exception {
        StackEndpoints e = SharedStack.endpoints();
        ObjectStorage storage = e.objectStorage();
        CheckpointStore store = new CheckpointStore(storage, tmp.resolve("cache"));
        String prefix = "tests/" + UUID.randomUUID() + "/checkpoint/";
        try (Policy policy = TestPolicies.tiny(33)) {
            CheckpointFiles.save(policy, null, tmp.resolve("local"), "t", null, Map.of(), Map.of());
            CheckpointStore.Stored stored = store.upload(tmp.resolve("local"), prefix);
            assertEquals(storage.uri(prefix), stored.uri());
            try (Policy loaded = store.load(stored.uri(), stored.manifestSha256())) {
                assertArrayEquals(logits(policy), logits(loaded));
            }
            // the object in the store is damaged: a fresh cache must refuse it, naming the file
            byte[] params = storage.getBytes(prefix + "model.params");
            params[params.length - 1] ^= 0x40;
            storage.putBytes(prefix + "model.params", params, "application/octet-stream");
            CheckpointStore fresh = new CheckpointStore(storage, tmp.resolve("cache2"));
            var refused = assertThrows(CorruptCheckpointException.class, () -> fresh.fetch(stored.uri(), stored.manifestSha256()));
            assertTrue(refused.getMessage().contains("model.params"), refused.getMessage());
            assertTrue(Files.list(tmp.resolve("cache2")).findAny().isEmpty(), "nothing corrupt is left in the cache");
        }
        assertThrows(IllegalArgumentException.class, () -> ObjectStorage.checkKey("runs/../../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> storage.keyOf("s3://other-bucket/x"));
    }

    @Test
    void theLocalCacheKeepsTheMostRecentlyUsedCheckpointsOnlyAndAPrefixDeletes() throws Exception {
        ObjectStorage storage = SharedStack.endpoints().objectStorage();
        CheckpointStore store = new CheckpointStore(storage, tmp.resolve("lru"), 2);
        String base = "tests/" + UUID.randomUUID() + "/";
        List<CheckpointStore.Stored> stored = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (Policy policy = TestPolicies.tiny(40 + i)) {
                CheckpointFiles.save(policy, null, tmp.resolve("src-" + i), "t" + i, null, Map.of(), Map.of());
                stored.add(store.upload(tmp.resolve("src-" + i), base + "c" + i + "/"));
            }
        }
        store.fetch(stored.get(0).uri(), stored.get(0).manifestSha256());
        Thread.sleep(20);
        store.fetch(stored.get(1).uri(), stored.get(1).manifestSha256());
        Thread.sleep(20);
        store.fetch(stored.get(0).uri(), stored.get(0).manifestSha256()); // used again: now the most recent
        Thread.sleep(20);
        store.fetch(stored.get(2).uri(), stored.get(2).manifestSha256());
        try (var entries = Files.list(tmp.resolve("lru"))) {
            assertEquals(java.util.Set.of(stored.get(0).manifestSha256(), stored.get(2).manifestSha256()),
                    entries.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
                    "c1, the least recently used, was evicted");
        }
        assertEquals(3 * storage.list(base + "c0/").size(), storage.deletePrefix(base));
        assertTrue(storage.list(base).isEmpty());
    }
}
