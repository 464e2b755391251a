import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;

import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.RunIndex;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.ConvergenceCriteria;
import io.spin.contract.GenerationProgress;
import io.spin.contract.IterationStarted;
import io.spin.contract.ObjectRef;
import io.spin.contract.PairsCompleted;
import io.spin.contract.RunCompleted;
import io.spin.contract.RunConfig;
import io.spin.contract.RunEndStatus;
import io.spin.contract.RunRequested;
import io.spin.contract.RunStatus;
import io.spin.contract.RunSummary;
import io.spin.contract.SamplingParams;
import io.spin.contract.TrainingMetrics;
import io.spin.contract.TrainingProgress;

/**
 * A control log with history: N finished runs of 2 iterations each (RunRequested, per iteration IterationStarted,
 * progress, PairsCompleted, CheckpointReady, then RunCompleted: 12 events a run), indexed in the run index as the
 * orchestrator indexes them (RUNNING with the request, COMPLETED at the end).
 * Usage: java -cp ... FinishedRuns.java BOOTSTRAP REGISTRY_V3 N
 */
public class FinishedRuns {
    public static void main(String[] args) {
        int n = Integer.parseInt(args[2]);
        ControlEvents events = new ControlEvents("bench");
        long start = System.nanoTime();
        try (ControlPublisher control = new ControlPublisher(args[0], args[1], io.spin.contract.SpinTopic.CONTROL);
             KafkaProducer<String, Object> index = new KafkaProducer<>(ControlPublisher.producerConfig(args[0], args[1]))) {
            for (int r = 0; r < n; r++) {
                String run = "done-" + UUID.randomUUID().toString().substring(0, 8);
                CheckpointRef policy = CheckpointRef.newBuilder().setId(run + "/iter-0").setUri("s3://spin/runs/" + run + "/iter-0/checkpoint/")
                        .setManifestSha256("ab".repeat(32)).build();
                java.time.Instant requestedAt = java.time.Instant.now();
                index.send(RunIndex.entry(RunSummary.newBuilder().setRunId(run).setStatus(RunStatus.RUNNING).setRequestedAt(requestedAt)
                        .setIterations(2).build()));
                control.publish(events.of(run, RunRequested.newBuilder().setConfig(RunConfig.newBuilder().setTrainDatasetId("ds-done")
                        .setTrainPromptCount(100).setIterations(2).setBetas(List.of(0.1)).setLearningRates(List.of(5e-4))
                        .setSampling(SamplingParams.newBuilder().build()).setConvergence(ConvergenceCriteria.newBuilder().build())
                        .setSftCheckpoint(policy).build()).build()));
                for (int t = 0; t < 2; t++) {
                    control.publish(events.of(run, IterationStarted.newBuilder().setIteration(t).setPolicy(policy).setPromptCount(100)
                            .setSamplesPerPrompt(1).setExpectedPairs(100).setBeta(0.1).setLearningRate(5e-4).build()));
                    control.publish(events.of(run, GenerationProgress.newBuilder().setIteration(t).setReceived(50).setExpected(100).build()));
                    control.publish(events.of(run, PairsCompleted.newBuilder().setIteration(t).setPairCount(100).setExactMatchRate(0)
                            .setMeanSimilarity(0.2).setSnapshot(ObjectRef.newBuilder().setUri("s3://spin/runs/" + run + "/p").setSha256("0".repeat(64))
                                    .setBytes(1).build()).build()));
                    control.publish(events.of(run, TrainingProgress.newBuilder().setIteration(t).setStep(5).setTotalSteps(5).setLoss(0.6).build()));
                    control.publish(events.of(run, CheckpointReady.newBuilder().setIteration(t).setCheckpoint(policy).setParent(policy)
                            .setTraining(TrainingMetrics.newBuilder().setSteps(5).setLoss(0.6).build()).build()));
                }
                control.publish(events.of(run, RunCompleted.newBuilder().setStatus(RunEndStatus.COMPLETED).setStopReason("max iterations (2) reached")
                        .setIterationsCompleted(2).setFinalCheckpoint(policy).build()));
                index.send(RunIndex.entry(RunSummary.newBuilder().setRunId(run).setStatus(RunStatus.COMPLETED).setRequestedAt(requestedAt)
                        .setEndedAt(java.time.Instant.now()).setIterations(2).setIterationsCompleted(2).setStopReason("max iterations (2) reached").build()));
            }
        }
        System.err.printf("wrote %d finished runs (%d control events) in %.1f s%n", n, n * 12, (System.nanoTime() - start) / 1e9);
    }
}
