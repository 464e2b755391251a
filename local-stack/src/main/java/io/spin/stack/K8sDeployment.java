package io.spin.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * What k8s/base says one service's container gets: the ConfigMap spin-config's values, the Deployment's own
 * variables (plain values, and references to Secrets and optional ConfigMaps, resolved by whoever runs it), its
 * volume mounts and its memory limit. Read from the manifests themselves, so the containers on this machine are
 * configured from the same values a cluster gets.
 */
record K8sDeployment(String service, Map<String, String> config, Map<String, String> values,
                     Map<String, SecretRef> secrets, List<Mount> mounts, String memoryLimit) {

    /** A variable whose value comes from a Secret (or an optional ConfigMap key, which locally stays unset). */
    record SecretRef(String name, String key, boolean optional, boolean configMap) {
    }

    /** A volume mount: emptyDir volumes are writable scratch or state; secret volumes hold certificates. */
    record Mount(String volume, String path, boolean emptyDir) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * The Deployment (or StatefulSet) named {@code spin-<service>} in {@code <base>/<service>.yaml}, with spin-config
     * from config.yaml.
     */
    static K8sDeployment read(Path base, String service) throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        JsonNode configMap = document(base.resolve("config.yaml"), "ConfigMap", "spin-config");
        configMap.path("data").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        JsonNode deployment = document(base.resolve(service + ".yaml"), List.of("Deployment", "StatefulSet"), "spin-" + service);
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").path(0);
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, SecretRef> secrets = new LinkedHashMap<>();
        for (JsonNode env : container.path("env")) {
            String name = env.path("name").asText();
            if (env.has("value")) {
                values.put(name, env.path("value").asText());
            } else if (env.path("valueFrom").has("secretKeyRef")) {
                JsonNode ref = env.path("valueFrom").path("secretKeyRef");
                secrets.put(name, new SecretRef(ref.path("name").asText(), ref.path("key").asText(), ref.path("optional").asBoolean(false), false));
            } else if (env.path("valueFrom").has("configMapKeyRef")) {
                JsonNode ref = env.path("valueFrom").path("configMapKeyRef");
                secrets.put(name, new SecretRef(ref.path("name").asText(), ref.path("key").asText(), ref.path("optional").asBoolean(false), true));
            } else {
                throw new StackException(base.resolve(service + ".yaml") + ": variable " + name + " has a kind of value this launcher does not know");
            }
        }
        Map<String, Boolean> emptyDirs = new LinkedHashMap<>();
        for (JsonNode volume : pod.path("volumes")) {
            emptyDirs.put(volume.path("name").asText(), volume.has("emptyDir"));
        }
        for (JsonNode claim : deployment.path("spec").path("volumeClaimTemplates")) {
            emptyDirs.put(claim.path("metadata").path("name").asText(), true); // a StatefulSet's own volume: writable state
        }
        List<Mount> mounts = new ArrayList<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            String volume = mount.path("name").asText();
            mounts.add(new Mount(volume, mount.path("mountPath").asText(), emptyDirs.getOrDefault(volume, false)));
        }
        String memory = container.path("resources").path("limits").path("memory").asText(null);
        return new K8sDeployment(service, config, values, secrets, mounts, memory);
    }

    private static JsonNode document(Path file, String kind, String name) throws IOException {
        return document(file, List.of(kind), name);
    }

    /** The first document of one of these kinds with this name. */
    private static JsonNode document(Path file, List<String> kinds, String name) throws IOException {
        if (!Files.exists(file)) {
            throw new StackException("no " + file + ": the containers are configured from k8s/base (run from the repository)");
        }
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            for (JsonNode doc : (Iterable<JsonNode>) () -> {
                try {
                    return YAML.readValues(parser, JsonNode.class);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }) {
                if (kinds.contains(doc.path("kind").asText()) && name.equals(doc.path("metadata").path("name").asText())) {
                    return doc;
                }
            }
        }
        throw new StackException(file + " has no " + String.join(" or ", kinds) + " named " + name);
    }

    /** Kubernetes' memory quantity (Mi, Gi) as docker's --memory value. */
    static String dockerMemory(String quantity) {
        if (quantity == null) {
            return null;
        }
        if (quantity.endsWith("Gi")) {
            return quantity.substring(0, quantity.length() - 2) + "g";
        }
        if (quantity.endsWith("Mi")) {
            return quantity.substring(0, quantity.length() - 2) + "m";
        }
        throw new StackException("memory limit " + quantity + " in k8s/base: only Mi and Gi are understood here");
    }
}
