package io.spin.generator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.contract.CheckpointRef;
import io.spin.contract.FinishReason;
import io.spin.contract.GeneratedSample;
import io.spin.contract.GenerationRequest;
import io.spin.contract.RunFailed;
import io.spin.core.checkpoint.CorruptCheckpointException;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.Sampler;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Policy;

/**
 * Takes generation requests in batches, samples them with the policy each names (batched, KV cache), and publishes
 * each sample under the request's key before the batch is acknowledged (at-least-once: a redelivered request gives
 * the same key, and the same tokens thanks to its seed). A checkpoint that fails verification or cannot be loaded
 * fails its run; the replica goes on with other runs' requests.
 */
@ApplicationScoped
public class GeneratorService {
    private static final Logger LOG = Logger.getLogger(GeneratorService.class.getName());

    @Inject
    PolicyCache policies;
    @Inject
    RequestDecoder decoder;
    @Inject
    ControlEvents events;
    @Inject
    @Channel("samples")
    MutinyEmitter<GeneratedSample> samples;
    @ConfigProperty(name = "spin.generator.sample-batch")
    int sampleBatch;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "spin.registry-url")
    String registryUrl;

    private final Set<String> failedRuns = new HashSet<>();
    private ControlPublisher control;

    @Incoming("generation-requests")
    @Blocking(ordered = true)
    public void generate(ConsumerRecords<String, byte[]> raw) throws Exception {
        Map<String, List<ConsumerRecord<String, GenerationRequest>>> byPolicy = new LinkedHashMap<>();
        for (ConsumerRecord<String, GenerationRequest> r : decoder.decode(raw)) {
            if (!failedRuns.contains(r.value().getRunId())) {
                byPolicy.computeIfAbsent(r.value().getPolicy().getManifestSha256(), k -> new ArrayList<>()).add(r);
            }
        }
        for (List<ConsumerRecord<String, GenerationRequest>> group : byPolicy.values()) {
            CheckpointRef ref = group.get(0).value().getPolicy();
            Policy policy;
            try {
                policy = policies.get(ref);
            } catch (CorruptCheckpointException e) {
                fail(group, "checkpoint " + ref.getId() + " refused: " + e.getMessage());
                continue;
            } catch (Exception e) {
                // missing, unreadable, or object storage still down after its retries: the run cannot go on, this replica can
                fail(group, "checkpoint " + ref.getId() + " could not be loaded: " + e.getMessage());
                continue;
            }
            for (int start = 0; start < group.size(); start += sampleBatch) {
                sample(policy, group.subList(start, Math.min(group.size(), start + sampleBatch)));
            }
        }
    }

    private void sample(Policy policy, List<ConsumerRecord<String, GenerationRequest>> batch) {
        List<SampleRequest> requests = new ArrayList<>();
        for (ConsumerRecord<String, GenerationRequest> r : batch) {
            GenerationRequest g = r.value();
            var s = g.getSampling();
            requests.add(new SampleRequest(policy.format().prompt(g.getPrompt(), g.getMaxPromptTokens()).ids(),
                    new SamplingSettings(s.getTemperature(), s.getTopP(), s.getTopK(), s.getMaxNewTokens()), g.getSeed()));
        }
        long start = System.nanoTime();
        List<Sample> generated = new Sampler(true).sample(policy, requests);
        long millis = (System.nanoTime() - start) / 1_000_000;
        List<Uni<Void>> sends = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            GenerationRequest g = batch.get(i).value();
            Sample s = generated.get(i);
            GeneratedSample sample = GeneratedSample.newBuilder().setRunId(g.getRunId()).setIteration(g.getIteration())
                    .setDatasetId(g.getDatasetId()).setPromptId(g.getPromptId()).setSampleIndex(g.getSampleIndex()).setText(s.text())
                    .setTokenCount(s.tokenCount()).setLogProb(s.logProb()).setFinishReason(s.finishedByEos() ? FinishReason.EOS : FinishReason.LENGTH)
                    .setPolicyId(g.getPolicy().getId()).setReplicaId(events.producerId()).setGenerationMillis(millis).build();
            sends.add(samples.sendMessage(KafkaRecord.of(batch.get(i).key(), sample)));
        }
        // all of the batch in flight at once, acknowledged before the requests are (at-least-once)
        long publishStart = System.nanoTime();
        Uni.join().all(sends).andFailFast().await().indefinitely();
        LOG.fine(() -> "sampled " + batch.size() + " in " + millis + " ms, published in " + (System.nanoTime() - publishStart) / 1_000_000 + " ms");
    }

    private synchronized void fail(List<ConsumerRecord<String, GenerationRequest>> group, String reason) {
        Set<String> runs = new HashSet<>();
        group.forEach(r -> runs.add(r.value().getRunId()));
        if (control == null) {
            control = new ControlPublisher(bootstrap, registryUrl);
        }
        for (String run : runs) {
            if (failedRuns.add(run)) {
                LOG.severe("run " + run + ": " + reason);
                control.publish(events.of(run, RunFailed.newBuilder().setReason(reason).setComponent("generator")
                        .setIteration(group.get(0).value().getIteration()).build()));
            }
        }
    }

    @PreDestroy
    synchronized void close() {
        if (control != null) {
            control.close();
        }
    }
}
