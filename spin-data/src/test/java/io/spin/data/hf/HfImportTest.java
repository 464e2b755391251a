package io.spin.data.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.spin.data.Sha256;

class HfImportTest {
    @TempDir
    Path dir;

    private void model() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"GPT2LMHeadModel\"],\"n_embd\":4,\"n_layer\":1,\"n_head\":2,"
                + "\"n_positions\":8,\"vocab_size\":6}");
        HfConfig c = HfConfig.read(dir.resolve("config.json"));
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        HfTensors.expected(c).forEach((name, shape) -> {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            tensors.put(name, new SafeTensors.Tensor(new float[(int) n], shape, TensorType.F16));
        });
        SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of());
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\":\"<|endoftext|>\"}");
    }

    @Test
    void aCheckedDirectoryBecomesAManifestThatDependsOnItsFilesOnly() throws Exception {
        model();
        HfImport.Checked checked = HfImport.check(dir);
        assertEquals(List.of("config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"), checked.files());
        byte[] manifest = HfImport.manifest(dir, checked);
        assertArrayEquals(manifest, HfImport.manifest(dir, HfImport.check(dir)), "importing twice gives the same checkpoint");
        JsonNode m = new ObjectMapper().readTree(manifest);
        assertEquals(1, m.path("formatVersion").asInt());
        assertEquals(Sha256.of(dir.resolve("model.safetensors")), m.path("files").get(3).path("sha256").asText());
        assertEquals("GPT2LMHeadModel", m.path("training").path("architecture").asText());
        Files.writeString(dir.resolve("tokenizer.json"), "{\"changed\":1}");
        assertTrue(!java.util.Arrays.equals(manifest, HfImport.manifest(dir, HfImport.check(dir))), "another file, another checkpoint");
    }

    @Test
    void aDirectoryWithoutItsTokenizerIsRefused() throws Exception {
        model();
        Files.delete(dir.resolve("tokenizer_config.json"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfImport.check(dir));
        assertTrue(e.getMessage().endsWith("tokenizer_config.json is missing (the model's tokenizer travels with it)"), e.getMessage());
    }
}
