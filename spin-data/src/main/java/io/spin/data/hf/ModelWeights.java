package io.spin.data.hf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The weights of a model directory in Hugging Face layout: {@code model.safetensors}, or the shards that
 * {@code model.safetensors.index.json} maps each tensor to. Every tensor the index names must be in the shard it names
 * and no shard may hold a tensor the index leaves out; a refusal names the file and the tensor.
 */
public final class ModelWeights {
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private final Map<String, SafeTensors> byTensor;

    private ModelWeights(Map<String, SafeTensors> byTensor) {
        this.byTensor = Collections.unmodifiableMap(byTensor);
    }

    public static ModelWeights open(Path dir) {
        Path index = dir.resolve(INDEX);
        Map<String, SafeTensors> byTensor = new LinkedHashMap<>();
        if (Files.isRegularFile(index)) {
            JsonNode map;
            try {
                map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
            } catch (IOException e) {
                throw new IllegalArgumentException(index + ": not JSON: " + e.getMessage(), e);
            }
            if (!map.isObject() || map.isEmpty()) {
                throw new IllegalArgumentException(index + ": no 'weight_map'");
            }
            Map<String, SafeTensors> shards = new LinkedHashMap<>();
            map.fields().forEachRemaining(e -> {
                String shard = e.getValue().asText();
                if (shard.contains("/") || shard.contains("\\")) {
                    throw new IllegalArgumentException(index + ": tensor " + e.getKey() + " names shard '" + shard + "' outside the directory");
                }
                SafeTensors file = shards.computeIfAbsent(shard, s -> open(dir, s, index));
                if (!file.entries().containsKey(e.getKey())) {
                    throw new IllegalArgumentException(index + ": tensor " + e.getKey() + " is not in " + shard);
                }
                byTensor.put(e.getKey(), file);
            });
            for (SafeTensors shard : shards.values()) {
                for (String name : shard.entries().keySet()) {
                    if (byTensor.get(name) != shard) {
                        throw new IllegalArgumentException(shard.file() + ": tensor " + name + " is not mapped to this shard by " + INDEX);
                    }
                }
            }
        } else if (Files.isRegularFile(dir.resolve(SINGLE))) {
            SafeTensors file = SafeTensors.open(dir.resolve(SINGLE));
            file.entries().keySet().forEach(name -> byTensor.put(name, file));
        } else {
            throw new IllegalArgumentException(dir + ": neither " + SINGLE + " nor " + INDEX);
        }
        return new ModelWeights(byTensor);
    }

    private static SafeTensors open(Path dir, String shard, Path index) {
        Path file = dir.resolve(shard);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(index + ": shard " + shard + " is missing");
        }
        return SafeTensors.open(file);
    }

    /** The weight files, by name in the directory: the single file, or the index and its shards. */
    public List<String> files() {
        java.util.LinkedHashSet<String> files = new java.util.LinkedHashSet<>();
        byTensor.values().forEach(f -> files.add(f.file().getFileName().toString()));
        List<String> names = new java.util.ArrayList<>();
        if (!files.contains(SINGLE)) {
            names.add(INDEX);
        }
        names.addAll(new TreeSet<>(files));
        return names;
    }

    /** Tensor names, sorted. */
    public TreeSet<String> names() {
        return new TreeSet<>(byTensor.keySet());
    }

    public SafeTensors.Entry entry(String name) {
        return file(name).entries().get(name);
    }

    public float[] floats(String name) {
        return file(name).floats(name);
    }

    private SafeTensors file(String name) {
        SafeTensors file = byTensor.get(name);
        if (file == null) {
            throw new IllegalArgumentException("no tensor " + name + " in the model's weights");
        }
        return file;
    }
}
