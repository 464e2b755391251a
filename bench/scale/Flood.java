import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.spin.commons.kafka.ControlPublisher;
import io.spin.contract.HumanResponse;
import io.spin.contract.Keys;
import io.spin.contract.PreferencePair;
import io.spin.contract.SpinTopic;

/**
 * History no iteration needs: N preference pairs of another run on spin.pairs and N human responses of another dataset
 * on spin.human-responses, valid records like a busy cluster's. Usage: java -cp ... Flood.java BOOTSTRAP REGISTRY_V3 N
 */
public class Flood {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[2]);
        Map<String, Object> config = new HashMap<>(ControlPublisher.producerConfig(args[0], args[1]));
        config.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        String run = "flood-" + UUID.randomUUID().toString().substring(0, 8);
        String dataset = "ds-" + run;
        long start = System.nanoTime();
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(config)) {
            for (int i = 0; i < n; i++) {
                String prompt = "Define: word number " + i + " of a history no iteration needs";
                String id = String.format("%08d", i);
                producer.send(new ProducerRecord<>(SpinTopic.PAIRS.topicName(), Keys.sample(run, i % 7, id, 0), PreferencePair.newBuilder()
                        .setRunId(run).setIteration(i % 7).setDatasetId(dataset).setPromptId(id).setSampleIndex(0).setPrompt(prompt)
                        .setChosen("a gloss written by a person, about sixty characters long, " + i).setRejected("a generated gloss " + i)
                        .setRejectedLogProb(-42.0).setExactMatch(false).setSimilarity(0.3).setProducerId("flood").build()));
                producer.send(new ProducerRecord<>(SpinTopic.HUMAN_RESPONSES.topicName(), Keys.humanResponse(dataset, id), HumanResponse.newBuilder()
                        .setDatasetId(dataset).setPromptId(id).setPrompt(prompt).setResponse("a gloss written by a person " + i)
                        .setSourceFile("flood.jsonl").setSourceLine(i + 1).setProducerId("flood").build()));
            }
            producer.flush();
        }
        System.err.printf("flooded %d pairs and %d human responses in %.1f s%n", n, n, (System.nanoTime() - start) / 1e9);
    }
}
