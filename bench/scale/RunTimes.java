import java.time.Duration;
import java.time.Instant;

import io.spin.commons.kafka.TopicReader;
import io.spin.contract.CheckpointReady;
import io.spin.contract.ControlEvent;
import io.spin.contract.IterationStarted;
import io.spin.contract.PairsCompleted;
import io.spin.contract.RunRequested;

/**
 * The two latencies the scale benchmark compares, from the run's control events alone (so any version's run can be
 * measured): the orchestrator's RunRequested -> IterationStarted(0) and the trainer's PairsCompleted(0) ->
 * CheckpointReady(0), in seconds. Usage: java -cp ... RunTimes.java BOOTSTRAP REGISTRY_V3 RUN_ID
 */
public class RunTimes {
    public static void main(String[] args) {
        Instant requested = null, started = null, paired = null, trained = null;
        for (ControlEvent e : new TopicReader(args[0], args[1]).runHistory(args[2])) {
            Object p = e.getPayload();
            if (p instanceof RunRequested) {
                requested = e.getTimestamp();
            } else if (p instanceof IterationStarted s && s.getIteration() == 0) {
                started = e.getTimestamp();
            } else if (p instanceof PairsCompleted c && c.getIteration() == 0) {
                paired = e.getTimestamp();
            } else if (p instanceof CheckpointReady c && c.getIteration() == 0) {
                trained = e.getTimestamp();
            }
        }
        if (requested == null || started == null || paired == null || trained == null) {
            throw new IllegalStateException("run " + args[2] + " has not completed its first iteration");
        }
        System.out.printf("%.3f %.3f%n", Duration.between(requested, started).toMillis() / 1000.0,
                Duration.between(paired, trained).toMillis() / 1000.0);
    }
}
