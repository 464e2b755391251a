package io.spin.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.Reports;
import io.spin.storage.ObjectStorage;
import io.spin.contract.CheckpointRef;
import io.spin.contract.TrainingProgress;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.checkpoint.CheckpointStore;
import io.spin.data.checkpoint.Manifest;
import io.spin.core.model.Policy;
import io.spin.core.train.AdamW;
import io.spin.core.train.StepMetrics;
import io.spin.core.train.TrainingListener;
import io.spin.commons.SpinMeters;
import org.jboss.logging.Logger;

/** What a training job uses: data, checkpoints, the control log, and the run's cancellation flag. */
record JobContext(TrainerState state, TrainingData data, CheckpointStore checkpoints, ObjectStorage storage,
                  Reports reports, ControlEvents events, Path workDir, int checkpointEvery, boolean evalDuringNextIteration,
                  int sampleBatch, WarmPolicy warm) {
    private static final Logger LOG = Logger.getLogger(JobContext.class);

    /** The checkpoint as a policy: the one just trained when it is that one (kept warm), else loaded from storage. */
    Policy policy(CheckpointRef ref) throws IOException {
        Policy kept = warm.take(ref.getManifestSha256());
        return kept != null ? kept : checkpoints.load(ref.getUri(), ref.getManifestSha256());
    }

    /** Where a job stopped: the weights and optimizer state saved after {@code step}. */
    record Resume(Policy policy, AdamW optimizer, int step) {
    }

    /** Thrown from the progress callback when the run was cancelled or ended meanwhile. */
    static final class Cancelled extends RuntimeException {
        Cancelled(String runId) {
            super("run " + runId + " was cancelled");
        }
    }

    /**
     * Emits TrainingProgress about 25 times per job (and at the last step), saves the in-iteration checkpoint every
     * {@code checkpointEvery} steps, and stops a cancelled run.
     */
    TrainingListener progress(String runId, int iteration, int policyIndex, String parentSha, Policy policy, AdamW optimizer) {
        long[] lastStep = {System.nanoTime()};
        return (StepMetrics m) -> {
            long now = System.nanoTime();
            SpinMeters.TRAINER_STEP.record(java.time.Duration.ofNanos(now - lastStep[0]), runId);
            SpinMeters.TRAINER_STEPS.increment(1, runId);
            SpinMeters.TRAINER_TOKENS.increment(m.tokens(), runId);
            SpinMeters.TRAINER_LOSS.set(m.loss(), runId);
            if (checkpointEvery > 0 && m.step() % checkpointEvery == 0 && m.step() < m.totalSteps()) {
                savePartial(runId, policyIndex, parentSha, policy, optimizer, m.step());
            }
            int every = Math.max(1, m.totalSteps() / 25);
            if (m.step() % every == 0 || m.step() == m.totalSteps()) {
                try {
                    reports.publish(events.of(runId, TrainingProgress.newBuilder().setIteration(iteration).setStep(m.step())
                            .setTotalSteps(m.totalSteps()).setLoss(m.loss()).build()));
                } catch (RuntimeException e) {
                    // progress is for people watching; a broker that is slow for a moment must not stop training
                    LOG.warnf("progress of %s at step %d not reported: %s", runId, m.step(), e.getMessage());
                }
            }
            if (state.isCancelled(runId)) {
                throw new Cancelled(runId);
            }
            lastStep[0] = System.nanoTime(); // the step's time excludes checkpointing and reporting
        };
    }

    private static String partialPrefix(String runId, int policyIndex) {
        return "runs/" + runId + "/iter-" + policyIndex + "/partial/";
    }

    /**
     * The job's in-iteration checkpoint: weights, AdamW state and step, each save under its own prefix
     * (partial/step-N/), then the one-object pointer partial/latest is replaced. A kill during a save leaves the
     * pointer on the previous complete save, never on half-written files.
     */
    void savePartial(String runId, int policyIndex, String parentSha, Policy policy, AdamW optimizer, int step) {
        try {
            Path local = Files.createTempDirectory(workDir, "partial-");
            CheckpointFiles.save(policy, optimizer, local, runId + "/iter-" + policyIndex + "/partial", null,
                    Map.of("step", step, "parentSha256", parentSha == null ? "" : parentSha), Map.of());
            CheckpointStore.Stored stored = checkpoints.upload(local, partialPrefix(runId, policyIndex) + "step-" + step + "/");
            SpinMeters.CHECKPOINT_UPLOAD_BYTES.increment(bytes(local), runId);
            storage.putBytes(partialPrefix(runId, policyIndex) + "latest",
                    (stored.uri() + "\n" + stored.manifestSha256()).getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain");
            deleteTree(local);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not save the in-iteration checkpoint of " + runId + " at step " + step, e);
        }
    }

    /**
     * The job's latest in-iteration checkpoint if one was saved for the same parent, else null. One that cannot be
     * verified is not used: the job then starts again from the beginning (slower, never wrong).
     */
    Resume resume(String runId, int policyIndex, String parentSha) throws IOException {
        String pointer = partialPrefix(runId, policyIndex) + "latest";
        if (!storage.exists(pointer)) {
            return null;
        }
        try {
            String[] latest = new String(storage.getBytes(pointer), java.nio.charset.StandardCharsets.UTF_8).split("\n");
            Path dir = checkpoints.fetch(latest[0], latest[1]);
            Manifest manifest = CheckpointFiles.readManifest(dir);
            if (!String.valueOf(manifest.training().get("parentSha256")).equals(parentSha == null ? "" : parentSha)) {
                return null;
            }
            Policy policy = checkpoints.load(latest[0], latest[1]); // through the store: an adapter checkpoint needs its base
            AdamW optimizer = AdamW.defaults(0.0);
            CheckpointFiles.loadOptimizer(dir, optimizer, policy.manager());
            return new Resume(policy, optimizer, ((Number) manifest.training().get("step")).intValue());
        } catch (RuntimeException e) {
            LOG.warnf("in-iteration checkpoint of %s not usable, training from the start: %s", runId, e.getMessage());
            return null;
        }
    }

    private static long bytes(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            long total = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Under LoRA, gives a policy that has no adapters yet fresh ones (PEFT's initialisation, from the run's seed),
     * storing its base first when it was never stored (a preset's fresh model): adapter checkpoints name their base.
     */
    void attachLora(Policy policy, io.spin.contract.RunConfig c, String runId) throws IOException {
        if (c.getLora() == null || policy.lora() != null) {
            return;
        }
        if (policy.base() == null) {
            Path local = Files.createTempDirectory(workDir, "base-");
            CheckpointFiles.save(policy, (AdamW) null, local, runId + "/base", null, Map.of("stage", "base"), Map.of());
            CheckpointStore.Stored stored = checkpoints.upload(local, "runs/" + runId + "/base/");
            deleteTree(local);
            policy.storedAs(new Policy.StoredModel(stored.uri(), stored.manifestSha256()));
        }
        io.spin.contract.LoraSettings l = c.getLora();
        io.spin.data.model.LoraConfig config = new io.spin.data.model.LoraConfig(l.getRank(), l.getAlpha(), l.getTargets());
        policy.attach(io.spin.core.lora.Lora.create(policy.config(), config, policy.manager(), c.getSeed()));
    }

    /** Saves the policy as runs/&lt;run&gt;/iter-&lt;index&gt;/checkpoint/ and returns where it is. */
    CheckpointRef save(Policy policy, String runId, int policyIndex, CheckpointRef parent, Map<String, Object> training,
                       Map<String, Object> metrics) throws IOException {
        String id = runId + "/iter-" + policyIndex;
        Path local = Files.createTempDirectory(workDir, "checkpoint-");
        Manifest.Parent manifestParent = parent == null ? null
                : new Manifest.Parent(parent.getId(), parent.getUri(), parent.getManifestSha256());
        CheckpointFiles.save(policy, (AdamW) null, local, id, manifestParent, training, metrics);
        CheckpointStore.Stored stored = checkpoints.upload(local, "runs/" + runId + "/iter-" + policyIndex + "/checkpoint/");
        SpinMeters.CHECKPOINT_UPLOAD_BYTES.increment(bytes(local), runId);
        deleteTree(local);
        // the in-iteration saves (weights and optimizer state, each as large as the model or twice) served their purpose
        int deleted = storage.deletePrefix(partialPrefix(runId, policyIndex));
        if (deleted > 0) {
            LOG.infof("deleted %d objects of the in-iteration checkpoints of %s", deleted, id);
        }
        return CheckpointRef.newBuilder().setId(id).setUri(stored.uri()).setManifestSha256(stored.manifestSha256()).build();
    }
}
