package io.spin.generator;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.spin.storage.ObjectStorage;
import io.spin.contract.CheckpointRef;
import io.spin.checkpoint.CheckpointStore;
import io.spin.core.model.Policy;

/**
 * The policies this replica samples from, keyed by manifest SHA-256: each checkpoint is downloaded, verified and
 * loaded once, and the least recently used one is closed when more than two are held. Under LoRA the least recently
 * used one instead takes the next checkpoint's adapters if they are on its base: the base stays loaded.
 */
@ApplicationScoped
public class PolicyCache {
    private static final int HELD = 2;

    @Inject
    ObjectStorage storage;
    @Inject
    GeneratorConfig config;

    private final Map<String, Policy> policies = new LinkedHashMap<>(4, 0.75f, true);

    /** Fixes the engine's compute threads before anything loads it (DJL reads them once, at engine start). */
    void onStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent started) {
        if (config.generator().threads() > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(config.generator().threads()));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    public synchronized Policy get(CheckpointRef ref) throws IOException {
        Policy policy = policies.get(ref.getManifestSha256());
        if (policy == null) {
            CheckpointStore store = new CheckpointStore(storage, config.workDir().resolve("checkpoint-cache"));
            if (policies.size() >= HELD) {
                // LoRA: the policy about to go keeps its base loaded and takes the new iteration's adapters (megabytes)
                var eldest = policies.entrySet().iterator().next();
                if (store.swapAdapters(eldest.getValue(), ref.getUri(), ref.getManifestSha256())) {
                    policies.remove(eldest.getKey());
                    policies.put(ref.getManifestSha256(), eldest.getValue());
                    return eldest.getValue();
                }
            }
            policy = store.load(ref.getUri(), ref.getManifestSha256());
            policies.put(ref.getManifestSha256(), policy);
            while (policies.size() > HELD) {
                var eldest = policies.entrySet().iterator().next();
                eldest.getValue().close();
                policies.remove(eldest.getKey());
            }
        }
        return policy;
    }

    @PreDestroy
    synchronized void close() {
        policies.values().forEach(Policy::close);
        policies.clear();
    }
}
