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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.checkpoint.CorruptCheckpointException;
import io.spin.data.checkpoint.Manifest;
import io.spin.core.model.Policy;
import io.spin.core.train.AdamW;
import io.spin.core.train.SftTrainer;
import io.spin.core.train.TokenizedExample;
import io.spin.core.train.TrainingConfig;
import io.spin.core.train.TrainingListener;

class CheckpointTest {
    @TempDir
    Path tmp;

    static float[] logits(Policy policy) {
        return TestPolicies.logits(policy, new int[] {256, 68, 101, 102, 105, 110, 101, 58, 32, 120});
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
}
