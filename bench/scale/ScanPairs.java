import io.spin.commons.kafka.TopicReader;
import io.spin.contract.SpinTopic;

/**
 * What exporting one iteration's pairs cost before reads were bounded by the run: a read of the whole pairs topic,
 * every record decoded. Usage: java -cp ... ScanPairs.java BOOTSTRAP REGISTRY_V3
 */
public class ScanPairs {
    public static void main(String[] args) {
        long start = System.nanoTime();
        long[] n = {0};
        TopicReader.Summary read = new TopicReader(args[0], args[1]).readAll(SpinTopic.PAIRS.topicName(), r -> n[0]++);
        System.out.printf("whole spin.pairs: %,d records (%,d decoded) in %.1f s%n", read.records(), n[0], (System.nanoTime() - start) / 1e9);
    }
}
