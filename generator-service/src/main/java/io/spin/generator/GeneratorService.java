package io.spin.generator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.spin.commons.ChatTurns;
import io.spin.commons.SpinMeters;
import io.spin.commons.ControlEvents;
import io.spin.messaging.ReportEmitter;
import io.spin.contract.CheckpointRef;
import io.spin.contract.FinishReason;
import io.spin.contract.GeneratedSample;
import io.spin.contract.GenerationRequest;
import io.spin.contract.ControlEvent;
import io.spin.contract.RunFailed;
import io.spin.core.checkpoint.CorruptCheckpointException;
import io.spin.core.generate.Sample;
import io.spin.core.generate.SampleRequest;
import io.spin.core.generate.BatchSampling;
import io.spin.core.generate.SamplingSettings;
import io.spin.core.model.Policy;
import io.spin.generator.RequestDecoder.Request;

/**
 * Takes generation requests in batches, samples them with the policy each names (batched, KV cache), and publishes
 * each sample under the request's key before the batch is acknowledged (at-least-once: a redelivered request gives
 * the same key, and the same tokens thanks to its seed). Requests of runs that have ended are skipped. A checkpoint
 * that fails verification or cannot be loaded fails its run; a request that cannot be sampled is dead-lettered and
 * fails its run. Either way the replica goes on with everything else: nothing here stops the channel but a failure to
 * publish (the batch then comes back once the broker does).
 */
@ApplicationScoped
public class GeneratorService {
    private static final Logger LOG = Logger.getLogger(GeneratorService.class);

    @Inject
    PolicyCache policies;
    @Inject
    RequestDecoder decoder;
    @Inject
    RunEndings endings;
    @Inject
    ControlEvents events;
    @Inject
    @Channel("samples")
    MutinyEmitter<GeneratedSample> samples;
    @Inject
    GeneratorConfig config;

    /** The generator's report topic: a run it cannot sample for fails with the reason. */
    @Inject
    @Channel("reports")
    MutinyEmitter<ControlEvent> reports;

    @Incoming("generation-requests")
    @Blocking(ordered = true)
    public void generate(ConsumerRecords<String, byte[]> raw) throws Exception {
        endings.awaitReady(Duration.ofSeconds(30));
        Map<String, List<Request>> byPolicy = new LinkedHashMap<>();
        int skipped = 0;
        for (Request r : decoder.decode(raw)) {
            if (endings.hasEnded(r.value().getRunId())) {
                skipped++;
            } else {
                byPolicy.computeIfAbsent(r.value().getPolicy().getManifestSha256(), k -> new ArrayList<>()).add(r);
            }
        }
        if (skipped > 0) {
            int n = skipped;
            LOG.debugf("skipped %d requests of ended runs", n);
        }
        for (List<Request> group : byPolicy.values()) {
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
            sample(policy, group);
        }
    }

    /**
     * Samples a policy's requests in batches and publishes each batch; a request that cannot be prepared or sampled
     * (alone) is rejected, and the others go on.
     */
    private void sample(Policy policy, List<Request> group) {
        List<Request> ready = new ArrayList<>(group.size());
        List<SampleRequest> requests = new ArrayList<>(group.size());
        for (Request r : group) {
            try {
                requests.add(request(policy, r.value()));
                ready.add(r);
            } catch (RuntimeException e) {
                reject(r, e);
            }
        }
        new BatchSampling(config.generator().sampleBatch()).sample(policy, requests, new BatchSampling.Outcomes() {
            @Override
            public void sampled(int from, List<Sample> samples, long millis) {
                publish(ready.subList(from, from + samples.size()), samples, millis);
            }

            @Override
            public void failed(int index, RuntimeException error) {
                reject(ready.get(index), error);
            }
        });
    }

    private static SampleRequest request(Policy policy, GenerationRequest g) {
        var s = g.getSampling();
        return new SampleRequest(policy.format().prompt(ChatTurns.fromEvent(g.getContext()), g.getPrompt(), g.getMaxPromptTokens()).ids(),
                new SamplingSettings(s.getTemperature(), s.getTopP(), s.getTopK(), s.getMaxNewTokens()), g.getSeed());
    }

    private void publish(List<Request> batch, List<Sample> generated, long millis) {
        List<Uni<Void>> sends = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            GenerationRequest g = batch.get(i).value();
            Sample s = generated.get(i);
            GeneratedSample sample = GeneratedSample.newBuilder().setRunId(g.getRunId()).setIteration(g.getIteration())
                    .setDatasetId(g.getDatasetId()).setPromptId(g.getPromptId()).setSampleIndex(g.getSampleIndex())
                    .setText(io.spin.data.Utf8.cut(s.text(), io.spin.contract.Limits.SAMPLE_TEXT_BYTES)) // the token ids stay whole
                    .setTokenCount(s.tokenCount()).setLogProb(s.logProb()).setFinishReason(s.finishedByEos() ? FinishReason.EOS : FinishReason.LENGTH)
                    .setPolicyId(g.getPolicy().getId()).setReplicaId(events.producerId()).setGenerationMillis(millis)
                    .setTokenIds(java.util.Arrays.stream(s.tokenIds()).boxed().toList()).build();
            sends.add(samples.sendMessage(KafkaRecord.of(batch.get(i).key(), sample)));
        }
        // all of the batch in flight at once, acknowledged before the requests are (at-least-once)
        long publishStart = System.nanoTime();
        Uni.join().all(sends).andFailFast().await().indefinitely();
        SpinMeters.GENERATOR_BATCH.record(java.time.Duration.ofMillis(millis));
        for (int i = 0; i < batch.size(); i++) {
            String run = batch.get(i).value().getRunId();
            SpinMeters.GENERATOR_SAMPLES.increment(1, run);
            SpinMeters.GENERATOR_TOKENS.increment(generated.get(i).tokenCount(), run);
        }
        LOG.debugf("sampled %d in %d ms, published in %d ms", batch.size(), millis, (System.nanoTime() - publishStart) / 1_000_000);
    }

    /** A request that cannot be sampled: dead-lettered as it was, and its run fails with the reason. */
    private void reject(Request request, RuntimeException e) {
        decoder.reject(request, e);
        fail(List.of(request), "request " + request.key() + " could not be sampled: " + e.getMessage());
    }

    private synchronized void fail(List<Request> group, String reason) {
        ReportEmitter control = new ReportEmitter(reports);
        for (Request r : group) {
            String run = r.value().getRunId();
            if (!endings.hasEnded(run)) {
                endings.end(run);
                LOG.errorf("run %s: %s", run, reason);
                control.publish(events.of(run, RunFailed.newBuilder().setReason(reason).setComponent("generator")
                        .setIteration(r.value().getIteration()).build()));
            }
        }
    }
}
