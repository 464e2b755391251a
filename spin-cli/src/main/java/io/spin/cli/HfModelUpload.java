package io.spin.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import io.spin.data.Sha256;
import io.spin.data.checkpoint.Manifest;
import io.spin.data.hf.HfImport;
import io.spin.storage.ObjectStorage;

/**
 * Imports a model directory in Hugging Face layout as a checkpoint in object storage, under
 * {@code models/<manifest-sha256>/}: checked first (config, every tensor, tokenizer), files uploaded, manifest last.
 * The same directory imported again is found there and not uploaded twice.
 */
public final class HfModelUpload {
    private HfModelUpload() {
    }

    /** Where the checkpoint is: {@code s3://bucket/models/<sha>/} and its manifest's SHA-256. */
    public record Stored(String uri, String manifestSha256) {
    }

    public static Stored upload(ObjectStorage storage, Path dir, PrintStream out) {
        HfImport.Checked checked = HfImport.check(dir);
        byte[] manifest = HfImport.manifest(dir, checked);
        String sha = Sha256.of(manifest);
        String folder = "models/" + sha + "/";
        if (storage.exists(folder + Manifest.FILE_NAME)) {
            out.printf("model %s (%s) already imported: %s%n", dir, checked.config().architecture(), storage.uri(folder));
            return new Stored(storage.uri(folder), sha);
        }
        for (String file : checked.files()) {
            out.printf("importing %s: %s%n", dir, file);
            storage.putFile(folder + file, dir.resolve(file));
        }
        storage.putBytes(folder + Manifest.FILE_NAME, manifest, "application/json");
        out.printf("model %s (%s) imported: %s@%s%n", dir, checked.config().architecture(), storage.uri(folder), sha);
        return new Stored(storage.uri(folder), sha);
    }
}
