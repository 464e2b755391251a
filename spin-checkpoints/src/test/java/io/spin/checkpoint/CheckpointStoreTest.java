package io.spin.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.spin.core.TestPolicies;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.checkpoint.CorruptCheckpointException;
import io.spin.core.model.Policy;
import io.spin.stack.SharedStack;
import io.spin.commons.stack.StackEndpoints;
import io.spin.storage.ObjectStorage;

/** Checkpoints through a real S3 server: uploaded and loaded bit-identical, damage refused, the local cache bounded. */
class CheckpointStoreTest {
    private static final int[] IDS = {256, 68, 101, 102, 105, 110, 101, 58, 32, 120};

    @TempDir
    Path tmp;

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
                assertArrayEquals(TestPolicies.logits(policy, IDS), TestPolicies.logits(loaded, IDS));
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
