package io.spin.pairbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.nio.file.Path;
import java.util.stream.Collectors;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.spin.commons.ControlEvents;
import io.spin.commons.PairSnapshot;
import io.spin.data.Sha256;
import io.spin.contract.CheckpointRef;
import io.spin.contract.ControlEvent;
import io.spin.contract.FinishReason;
import io.spin.contract.GeneratedSample;
import io.spin.contract.GenerationProgress;
import io.spin.contract.HumanResponse;
import io.spin.contract.IterationStarted;
import io.spin.contract.Keys;
import io.spin.contract.ObjectRef;
import io.spin.contract.PairsCompleted;
import io.spin.contract.PreferencePair;
import io.spin.contract.SpinTopic;

class PairTopologyTest {
    private TopologyTestDriver driver;
    private PairTopology.AvroSerdes serdes;
    private TestInputTopic<String, HumanResponse> humans;
    private TestInputTopic<String, GeneratedSample> samples;
    private TestInputTopic<String, ControlEvent> controlIn;
    private TestOutputTopic<String, PreferencePair> pairs;
    private TestOutputTopic<String, ControlEvent> reports;
    private final Map<String, byte[]> snapshots = new HashMap<>();
    private final ControlEvents events = new ControlEvents("test", Clock.systemUTC());
    /** What the snapshot writer published, in order; each is also fed back into the control topic, as on Kafka. */
    private final List<ControlEvent> published = new ArrayList<>();
    private SnapshotWriter writer;
    /** How far the snapshot writer's clock is ahead of the wall clock: a slow upload moves it on. */
    private final java.util.concurrent.atomic.AtomicLong uploadMillis = new java.util.concurrent.atomic.AtomicLong();
    private long uploadTakes;

    @BeforeEach
    void start() {
        serdes = new PairTopology.AvroSerdes(new BinaryAvroSerde<>(GeneratedSample.getClassSchema()),
                new BinaryAvroSerde<>(HumanResponse.getClassSchema()), new BinaryAvroSerde<>(PreferencePair.getClassSchema()),
                new BinaryAvroSerde<>(ControlEvent.getClassSchema()));
        SnapshotSink sink = (runId, iteration, file, sha256, bytes) -> {
            String uri = "mem://" + runId + "/" + iteration;
            uploadMillis.addAndGet(uploadTakes);
            try {
                snapshots.put(uri, java.nio.file.Files.readAllBytes(file));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return ObjectRef.newBuilder().setUri(uri).setSha256(sha256).setBytes(bytes).build();
        };
        writer = new SnapshotWriter(sink, events, e -> {
            published.add(e);
            controlIn.pipeInput(e.getRunId(), e);
        }, Path.of("target", "snapshots"), () -> System.currentTimeMillis() + uploadMillis.get());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "pair-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        driver = new TopologyTestDriver(PairTopology.build(serdes, 3, events), props);
        var strings = Serdes.String();
        humans = driver.createInputTopic(SpinTopic.HUMAN_RESPONSES.topicName(), strings.serializer(), serdes.humans().serializer());
        samples = driver.createInputTopic(SpinTopic.SAMPLES.topicName(), strings.serializer(), serdes.samples().serializer());
        controlIn = driver.createInputTopic(SpinTopic.CONTROL.topicName(), strings.serializer(), serdes.control().serializer());
        pairs = driver.createOutputTopic(SpinTopic.PAIRS.topicName(), strings.deserializer(), serdes.pairs().deserializer());
        reports = driver.createOutputTopic(SpinTopic.PAIR_BUILDER_REPORTS.topicName(), strings.deserializer(), serdes.control().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void human(String promptId, String response) {
        humans.pipeInput(Keys.humanResponse("ds", promptId), HumanResponse.newBuilder().setDatasetId("ds").setPromptId(promptId)
                .setPrompt("Define: " + promptId).setResponse(response).setSourceFile("t.jsonl").setSourceLine(1).setProducerId("t").build());
    }

    private void sample(String runId, int iteration, String promptId, int index, String text) {
        samples.pipeInput(Keys.sample(runId, iteration, promptId, index), GeneratedSample.newBuilder().setRunId(runId)
                .setIteration(iteration).setDatasetId("ds").setPromptId(promptId).setSampleIndex(index).setText(text).setTokenCount(text.length() + 1)
                .setLogProb(-1.5 * text.length()).setFinishReason(FinishReason.EOS).setPolicyId("p").setReplicaId("g").build());
    }

    private void iterationStarted(String runId, int iteration, int prompts, int samplesPerPrompt) {
        CheckpointRef policy = CheckpointRef.newBuilder().setId("p").setUri("s3://spin/p/").setManifestSha256("0".repeat(64)).build();
        controlIn.pipeInput(runId, events.of(runId, IterationStarted.newBuilder().setIteration(iteration).setPolicy(policy)
                .setPromptCount(prompts).setSamplesPerPrompt(samplesPerPrompt).setExpectedPairs(prompts * samplesPerPrompt)
                .setBeta(0.1).setLearningRate(1e-4).build()));
    }

    /** Two rounds of the snapshot writer over the stores, as the service runs one a little after each commit interval. */
    private void writeSnapshots() {
        for (int round = 0; round < 2; round++) {
            writer.writeAwaiting(driver.getKeyValueStore(PairTopology.PROGRESS_STORE), driver.getKeyValueStore(PairTopology.ITERATION_PAIRS_STORE));
        }
    }

    /** The topology's control output and what the writer published since the last call. */
    private List<ControlEvent> controlEvents() {
        writeSnapshots();
        List<ControlEvent> out = new ArrayList<>(reports.readValuesToList());
        out.addAll(published);
        published.clear();
        return out;
    }

    private List<PairsCompleted> completions() {
        return controlEvents().stream().map(ControlEvent::getPayload).filter(p -> p instanceof PairsCompleted)
                .map(p -> (PairsCompleted) p).collect(Collectors.toList());
    }

    @Test
    void onePairPerSampleKeyAndPairsCompletedOnceWithTheSnapshotDigest() {
        human("a", "a tower");
        human("b", "a pot");
        iterationStarted("run-1", 0, 2, 2);
        sample("run-1", 0, "a", 0, "a tower");
        sample("run-1", 0, "a", 1, "a towel");
        sample("run-1", 0, "a", 1, "a towel"); // redelivered
        sample("run-1", 0, "b", 0, "pots");
        sample("run-1", 0, "b", 1, "");
        sample("run-1", 0, "b", 0, "pots"); // redelivered after completion
        List<PreferencePair> built = pairs.readValuesToList();
        assertEquals(4, built.size(), "one pair per (prompt, sample)");
        PreferencePair first = built.get(0);
        assertEquals("a tower", first.getChosen());
        assertTrue(first.getExactMatch());
        assertEquals(1.0, first.getSimilarity());
        assertEquals(8, first.getRejectedTokenCount());
        List<PairsCompleted> done = completions();
        assertEquals(1, done.size());
        PairsCompleted c = done.get(0);
        assertEquals(4, c.getPairCount());
        byte[] snapshot = snapshots.get(c.getSnapshot().getUri());
        assertEquals(Sha256.of(snapshot), c.getSnapshot().getSha256());
        assertEquals(new String(PairSnapshot.jsonl(built)), new String(snapshot), "snapshot = the pairs, in key order");
        assertEquals(0.25, c.getExactMatchRate(), 1e-12);
        double meanSimilarity = built.stream().mapToDouble(PreferencePair::getSimilarity).average().orElseThrow();
        assertEquals(meanSimilarity, c.getMeanSimilarity(), 1e-12);
    }

    @Test
    void thePairingTimeRunsToTheEndOfTheSnapshotsUploadForThatIsWhatTheTrainerWaitsFor() {
        human("a", "x");
        iterationStarted("run-u", 0, 1, 1);
        sample("run-u", 0, "a", 0, "y");
        uploadTakes = 5_000;
        PairsCompleted c = completions().get(0);
        assertTrue(c.getPairingSeconds() >= 5.0 && c.getPairingSeconds() < 60, "pairing " + c.getPairingSeconds() + " s");
        assertTrue(c.getGenerationSeconds() < 5.0, "generation " + c.getGenerationSeconds() + " s");
    }

    @Test
    void aPairCarriesTheSampledTokensAndWhySamplingStopped() {
        human("t", "h");
        samples.pipeInput(Keys.sample("run-t", 0, "t", 0), GeneratedSample.newBuilder().setRunId("run-t").setIteration(0).setDatasetId("ds")
                .setPromptId("t").setSampleIndex(0).setText("ab").setTokenCount(2).setLogProb(-2).setFinishReason(FinishReason.LENGTH)
                .setPolicyId("p").setReplicaId("g").setTokenIds(List.of(97, 98)).build());
        PreferencePair pair = pairs.readValuesToList().get(0);
        assertEquals(List.of(97, 98), pair.getRejectedTokenIds());
        assertEquals(FinishReason.LENGTH, pair.getRejectedFinishReason());
    }

    @Test
    void aPairCarriesItsConversationsEarlierTurns() {
        List<io.spin.contract.ChatTurn> context = List.of(new io.spin.contract.ChatTurn("user", "Hi?"), new io.spin.contract.ChatTurn("assistant", "Hello."));
        humans.pipeInput(Keys.humanResponse("ds", "c"), HumanResponse.newBuilder().setDatasetId("ds").setPromptId("c").setPrompt("And you?")
                .setResponse("Fine.").setSourceFile("t.jsonl").setSourceLine(1).setProducerId("t").setContext(context).build());
        sample("run-c", 0, "c", 0, "Good.");
        PreferencePair pair = pairs.readValuesToList().get(0);
        assertEquals(context, pair.getContext());
        assertEquals("And you?", pair.getPrompt());
    }

    @Test
    void samplesBeforeIterationStartedCompleteWhenTheExpectedCountArrives() {
        human("a", "x");
        sample("run-2", 3, "a", 0, "y");
        assertTrue(completions().isEmpty());
        iterationStarted("run-2", 3, 1, 1);
        List<PairsCompleted> done = completions();
        assertEquals(1, done.size());
        assertEquals(3, done.get(0).getIteration());
    }

    @Test
    void aSampleWhoseHumanResponseIsLateWaitsAndIsPairedWhenItArrives() {
        iterationStarted("run-3", 0, 1, 1);
        sample("run-3", 0, "late", 0, "text");
        assertTrue(pairs.isEmpty());
        human("late", "the human text");
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertEquals(1, pairs.readValuesToList().size());
        assertEquals(1, completions().size());
    }

    @Test
    void twoRunsAtOnceNeverMix() {
        human("a", "x");
        human("b", "y");
        iterationStarted("run-A", 0, 2, 1);
        iterationStarted("run-B", 0, 1, 1);
        sample("run-A", 0, "a", 0, "1");
        sample("run-B", 0, "a", 0, "2");
        List<ControlEvent> out = controlEvents();
        assertEquals(List.of("run-B"), out.stream().filter(e -> e.getPayload() instanceof PairsCompleted).map(ControlEvent::getRunId).toList());
        sample("run-A", 0, "b", 0, "3");
        List<ControlEvent> later = controlEvents();
        ControlEvent a = later.stream().filter(e -> e.getPayload() instanceof PairsCompleted).findFirst().orElseThrow();
        assertEquals("run-A", a.getRunId());
        assertEquals(2, ((PairsCompleted) a.getPayload()).getPairCount());
        assertTrue(new String(snapshots.get("mem://run-A/0")).contains("\"runId\":\"run-A\""));
        assertTrue(!new String(snapshots.get("mem://run-A/0")).contains("run-B"));
    }

    @Test
    void progressIsReportedOnTheWay() {
        human("p", "h");
        iterationStarted("run-4", 0, 1, 20);
        for (int i = 0; i < 20; i++) {
            sample("run-4", 0, "p", i, "s" + i);
        }
        List<ControlEvent> out = controlEvents();
        long progress = out.stream().filter(e -> e.getPayload() instanceof GenerationProgress).count();
        assertTrue(progress >= 5, "progress events: " + progress);
        assertInstanceOf(PairsCompleted.class, out.get(out.size() - 1).getPayload());
        assertTrue(Instant.now().isAfter(out.get(0).getTimestamp()));
    }

    @Test
    void anUndecodableHumanResponseReadsAsAbsentAndALaterGoodOnePairs() {
        byte[] garbage = "not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(null, PairTopology.lenient(serdes.humans()).deserializer().deserialize(SpinTopic.HUMAN_RESPONSES.topicName(), garbage));
        assertThrows(RuntimeException.class, () -> serdes.humans().deserializer().deserialize(SpinTopic.HUMAN_RESPONSES.topicName(), garbage));
        driver.createInputTopic(SpinTopic.HUMAN_RESPONSES.topicName(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
                .pipeInput(Keys.humanResponse("ds", "g"), garbage);
        iterationStarted("run-5", 0, 1, 1);
        sample("run-5", 0, "g", 0, "text");
        assertTrue(pairs.isEmpty(), "no pair with an unreadable human response");
        human("g", "the real response");
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertEquals("the real response", pairs.readValuesToList().get(0).getChosen());
        assertEquals(1, completions().size());
    }

    @Test
    void theSnapshotIsInSnapshotOrderPublishedOnceAndItsPairsThenLeaveTheStore() {
        // ids and indexes whose plain-text keys would sort otherwise: "b/10" < "b/2", "p-1/" < "p/"
        human("p", "h");
        human("p-1", "h1");
        iterationStarted("run-o", 0, 2, 12);
        for (int i = 11; i >= 0; i--) {
            sample("run-o", 0, "p-1", i, "x" + i);
            sample("run-o", 0, "p", i, "y" + i);
        }
        List<PreferencePair> built = pairs.readValuesToList();
        List<PairsCompleted> done = completions();
        assertEquals(1, done.size());
        assertEquals(new String(PairSnapshot.jsonl(built)), new String(snapshots.get(done.get(0).getSnapshot().getUri())),
                "the store walked in order is the snapshot replay builds");
        assertEquals(Sha256.of(PairSnapshot.jsonl(built)), done.get(0).getSnapshot().getSha256());
        var store = driver.<String, PreferencePair>getKeyValueStore(PairTopology.ITERATION_PAIRS_STORE);
        try (var left = store.prefixScan(PairStoreKeys.iteration("run-o", 0), new org.apache.kafka.common.serialization.StringSerializer())) {
            assertTrue(!left.hasNext(), "PairsCompleted came back: the iteration's pairs left the store");
        }
        assertTrue(completions().isEmpty(), "published once");
    }

    @Test
    void anEndedRunsAwaitingSnapshotIsDroppedNotWritten() {
        human("a", "x");
        iterationStarted("run-e", 0, 1, 1);
        sample("run-e", 0, "a", 0, "y");
        controlIn.pipeInput("run-e", events.of("run-e", io.spin.contract.RunFailed.newBuilder().setComponent("trainer").setReason("gone").build()));
        assertTrue(completions().isEmpty());
        var store = driver.<String, PreferencePair>getKeyValueStore(PairTopology.ITERATION_PAIRS_STORE);
        try (var left = store.all()) {
            assertTrue(!left.hasNext());
        }
    }

    @Test
    void pairedKeysAreForgottenOnceTheirRequestsCanNoLongerComeBack() {
        human("a", "a tower");
        sample("run-f", 0, "a", 0, "a towel");
        var seen = driver.<String, Long>getKeyValueStore(PairTopology.SEEN_STORE);
        assertTrue(seen.get(Keys.sample("run-f", 0, "a", 0)) != null, "remembered while a redelivery is possible");
        driver.advanceWallClockTime(PairingProcessor.REMEMBER_PAIRED.minus(PairingProcessor.FORGET_EVERY));
        assertTrue(seen.get(Keys.sample("run-f", 0, "a", 0)) != null, "still remembered just before the retention ends");
        driver.advanceWallClockTime(PairingProcessor.FORGET_EVERY.multipliedBy(2));
        assertEquals(null, seen.get(Keys.sample("run-f", 0, "a", 0)), "forgotten after the request topic's retention");
    }
}
