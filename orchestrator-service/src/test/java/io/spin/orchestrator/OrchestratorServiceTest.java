package io.spin.orchestrator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.commons.kafka.TopicReader;
import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.ControlEvent;
import io.spin.contract.GenerationRequest;
import io.spin.contract.IterationStarted;
import io.spin.contract.SftRequested;
import io.spin.contract.SpinTopic;
import io.spin.contract.TrainingMetrics;
import io.spin.testresource.LocalStackResource;
import io.spin.stack.SharedStack;
import io.spin.commons.stack.StackEndpoints;

@QuarkusTest
@WithTestResource(LocalStackResource.class)
class OrchestratorServiceTest {
    @jakarta.inject.Inject
    Orchestrator orchestrator;

    @Test
    void badConfigurationAndBadDataAreRefusedNamingTheFieldOrLine() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port);
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"beta\": [-1]}")
                .post("/runs").then().statusCode(400).body("field", equalTo("beta"));
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"iterations\": 0}")
                .post("/runs").then().statusCode(400).body("field", equalTo("iterations"));
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"iterations\": 2, \"window\": 3}")
                .post("/runs").then().statusCode(400).body("field", equalTo("window"));
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"lossType\": \"kl\"}")
                .post("/runs").then().statusCode(400).body("field", equalTo("lossType"));
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"modelPreset\": \"huge\"}")
                .post("/runs").then().statusCode(400).body("field", equalTo("modelPreset"));
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"../../etc/passwd\"}")
                .post("/runs").then().statusCode(400).body("field", equalTo("trainDataset")).body("message", containsString("outside the data folder"));
        Path bad = Files.createTempFile(Path.of("target"), "bad", ".jsonl");
        Files.writeString(bad, "{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"c\"}\n");
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"orchestrator-service/target/" + bad.getFileName() + "\"}")
                .post("/runs").then().statusCode(400).body("field", equalTo("trainDataset"))
                .body("message", containsString(bad.getFileName() + ":2: missing field 'response'"));
        String checkpoint = "{\"uri\": \"s3://spin/models/x/\", \"manifestSha256\": \"" + "a".repeat(64) + "\"}";
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"sftCheckpoint\": " + checkpoint
                + ", \"baseModel\": " + checkpoint + "}").post("/runs").then().statusCode(400).body("field", equalTo("baseModel"));
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"baseModel\": {\"uri\": \"/tmp/m\", "
                + "\"manifestSha256\": \"" + "a".repeat(64) + "\"}}").post("/runs").then().statusCode(400).body("field", equalTo("baseModel.uri"));
        // a starting model is looked at before the run is accepted: there at all, and long enough for the token limits
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"sftCheckpoint\": " + checkpoint + "}")
                .post("/runs").then().statusCode(400).body("field", equalTo("sftCheckpoint.uri"))
                .body("message", containsString("no checkpoint at s3://spin/models/x/"));
        io.spin.storage.ObjectStorage storage = SharedStack.endpoints().objectStorage();
        String folder = "tests/" + java.util.UUID.randomUUID() + "/";
        storage.putBytes(folder + "config.json", ("{\"architectures\":[\"GPT2LMHeadModel\"],\"n_embd\":8,\"n_layer\":1,\"n_head\":2,"
                + "\"n_positions\":128,\"vocab_size\":50}").getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
        storage.putBytes(folder + "manifest.json", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"baseModel\": {\"uri\": \""
                + storage.uri(folder) + "\", \"manifestSha256\": \"" + "a".repeat(64) + "\"}}").post("/runs").then().statusCode(400)
                .body("field", equalTo("maxResponseTokens"))
                .body("message", equalTo("maxPromptTokens 96 + maxResponseTokens 96 exceed the context of the baseModel (128 tokens)"));
        given().get("/runs/run-nope").then().statusCode(404).body("message", equalTo("no run 'run-nope'"));
        given().delete("/runs/run-nope").then().statusCode(404).body("message", equalTo("no run 'run-nope'"));
        // a misspelled field is refused, named by its path, rather than run with the default
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"betas\": [0.1]}")
                .post("/runs").then().statusCode(400).body("field", equalTo("betas")).body("message", containsString("unknown field 'betas'"))
                .body("message", containsString("beta,"));
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"sampling\": {\"tempertaure\": 1}}")
                .post("/runs").then().statusCode(400).body("field", equalTo("sampling.tempertaure"));
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"iterations\": \"two\"}")
                .post("/runs").then().statusCode(400).body("field", equalTo("iterations"));
        given().get("/runs?limit=0").then().statusCode(400).body("field", equalTo("limit"));
    }

    /**
     * Every limit is refused at the door naming its field and limit; a response of 0.9 MB (within RESPONSE_BYTES) is
     * carried to the human-responses topic whole, one of 1.05 MB is refused naming its file, line, field and limit.
     */
    @Test
    void inputOverALimitIsA400NamingItAndInputWithinIsCarried() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port);
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"iterations\": 101}")
                .post("/runs").then().statusCode(400).body("field", equalTo("iterations")).body("message", containsString("(ITERATIONS)"));
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"epochs\": 1000}")
                .post("/runs").then().statusCode(400).body("field", equalTo("epochs")).body("message", containsString("(EPOCHS)"));
        // two token limits whose int sum overflows to a negative number once passed as within the context
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"maxPromptTokens\": 2000000000, "
                + "\"maxResponseTokens\": 2000000000}").post("/runs").then().statusCode(400).body("field", equalTo("maxPromptTokens"))
                .body("message", containsString("(TOKENS)"));
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/train.jsonl\", \"samplesPerPrompt\": 65}")
                .post("/runs").then().statusCode(400).body("field", equalTo("samplesPerPrompt"));

        String first = "{\"id\": \"small\", \"prompt\": \"Define: a\", \"response\": \"b\"}\n";
        Path tooLong = Files.createTempFile(Path.of("target"), "over", ".jsonl");
        Files.writeString(tooLong, first + "{\"id\": \"big\", \"prompt\": \"Define: c\", \"response\": \"" + "r".repeat(1_050_000) + "\"}\n");
        given().contentType(ContentType.JSON).body("{\"trainDataset\": \"orchestrator-service/target/" + tooLong.getFileName() + "\"}")
                .post("/runs").then().statusCode(400).body("field", equalTo("trainDataset")).body("message", equalTo(tooLong.getFileName()
                        + ":2: field 'response' is 1050000 bytes, over the limit of 1048576 bytes (RESPONSE_BYTES)"));

        Path within = Files.createTempFile(Path.of("target"), "within", ".jsonl");
        StringBuilder rows = new StringBuilder(first);
        for (int i = 0; i < 11; i++) { // 12 rows: three transactions of at most 5 (the test profile's chunk) before RunRequested
            rows.append("{\"id\": \"w").append(i).append("\", \"prompt\": \"Define: w\", \"response\": \"")
                    .append(i == 5 ? "r".repeat(900_000) : "g").append("\"}\n");
        }
        Files.writeString(within, rows.toString());
        String runId = given().contentType(ContentType.JSON).body("{\"trainDataset\": \"orchestrator-service/target/" + within.getFileName()
                + "\", \"iterations\": 1}").post("/runs").then().statusCode(201).extract().path("runId");
        StackEndpoints e = SharedStack.endpoints();
        TopicReader reader = new TopicReader(e.kafkaClientConfig(), e.registryApiV3());
        String datasetId = "ds-" + io.spin.data.Sha256.of(Files.readAllBytes(within)).substring(0, 16);
        java.util.Map<String, Integer> responses = new java.util.HashMap<>();
        reader.<Object>readAll(SpinTopic.HUMAN_RESPONSES.topicName(), r -> {
            if (r.value() instanceof io.spin.contract.HumanResponse h && h.getDatasetId().equals(datasetId)) {
                responses.put(h.getPromptId(), h.getResponse().length());
            }
        });
        assertEquals(12, responses.size(), responses.toString());
        assertEquals(900_000, responses.get("w5"), "the 0.9 MB response, whole");
        given().delete("/runs/" + runId).then().statusCode(202);
    }

    /** Live report streams are capped (4 in tests): one more is 503 with Retry-After; a stream that ends frees its place. */
    @Test
    void reportStreamsAreCapped() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port);
        String runId = given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/eval.jsonl\", \"iterations\": 1}")
                .post("/runs").then().statusCode(201).extract().path("runId");
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + io.restassured.RestAssured.port
                + "/runs/" + runId + "/events")).header("Accept", "text/event-stream").build();
        List<java.net.http.HttpResponse<java.io.InputStream>> open = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            open.add(http.send(request, java.net.http.HttpResponse.BodyHandlers.ofInputStream()));
            assertEquals(200, open.get(i).statusCode());
        }
        var refused = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("5", refused.headers().firstValue("Retry-After").orElse(""));
        assertTrue(refused.body().contains("spin.api.max-event-streams"), refused.body());
        given().delete("/runs/" + runId).then().statusCode(202); // the run ends: its streams send the end and close
        for (var stream : open) {
            stream.body().readAllBytes();
        }
        await(() -> {
            try {
                return http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }, "a place freed once streams ended");
    }

    @Test
    void aCancellationStopsAFanOutUnderWayOnTheActorAndTheRunEndsCancelled() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port);
        // 5,000 prompts in chunks of 5: 1,000 transactions, seconds of fan-out on the orchestrator's one actor thread
        Path data = dataset("large", 5000, "q", "v", "h");
        String runId = given().contentType(ContentType.JSON).body("{\"trainDataset\": \"orchestrator-service/target/" + data.getFileName()
                + "\", \"iterations\": 1}").post("/runs").then().statusCode(201).extract().path("runId");
        StackEndpoints e = SharedStack.endpoints();
        TopicReader reader = new TopicReader(e.kafkaClientConfig(), e.registryApiV3());
        await(() -> reader.runHistory(runId).stream().anyMatch(ev -> ev.getPayload() instanceof SftRequested), "SftRequested");
        CheckpointRef sft = CheckpointRef.newBuilder().setId(runId + "/iter-0").setUri("s3://spin/runs/" + runId + "/iter-0/checkpoint/")
                .setManifestSha256("ef".repeat(32)).build();
        try (ControlPublisher publisher = new ControlPublisher(e.kafkaBootstrap(), e.registryApiV3(), io.spin.contract.ServicePrincipal.TRAINER)) {
            publisher.publish(new ControlEvents("test").of(runId, CheckpointReady.newBuilder().setIteration(-1).setCheckpoint(sft)
                    .setTraining(TrainingMetrics.newBuilder().setSteps(1).setLoss(1.0).build()).build()));
        }
        await(() -> countRequests(reader, runId) > 0, "the fan-out under way");
        long asked = System.nanoTime();
        given().delete("/runs/" + runId).then().statusCode(202).body("status", equalTo("CANCELLED"));
        assertTrue(System.nanoTime() - asked < java.time.Duration.ofSeconds(10).toNanos(), "the cancel waited for the whole fan-out");
        List<ControlEvent> history = reader.runHistory(runId);
        assertTrue(history.stream().noneMatch(ev -> ev.getPayload() instanceof IterationStarted),
                "the fan-out stopped part way: the iteration never started");
        int requests = countRequests(reader, runId);
        assertTrue(requests < 5000, requests + " of 5000 requests: the fan-out did not stop for the cancellation");
    }

    /** A dataset file under target/: ids {@code <id>i}, prompts "Define: {@code <word>i}", responses {@code <response>i}. */
    private static Path dataset(String name, int prompts, String id, String word, String response) throws java.io.IOException {
        Path data = Files.createTempFile(Path.of("target"), name, ".jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < prompts; i++) {
            lines.append("{\"id\": \"").append(id).append(i).append("\", \"prompt\": \"Define: ").append(word).append(i)
                    .append("\", \"response\": \"").append(response).append(i).append("\"}\n");
        }
        return Files.writeString(data, lines.toString());
    }

    private static int countRequests(TopicReader reader, String runId) {
        int[] count = {0};
        reader.<Object>readAll(SpinTopic.GENERATION_REQUESTS.topicName(), r -> {
            if (r.value() instanceof GenerationRequest g && g.getRunId().equals(runId)) {
                count[0]++;
            }
        });
        return count[0];
    }

    @Test
    void aRunRequestsSftThenFansOutOneRequestPerPromptAndSampleAndCanBeCancelled() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port);
        Path data = dataset("small", 7, "p", "w", "g");
        String runId = given().contentType(ContentType.JSON).body("{\"trainDataset\": \"orchestrator-service/target/" + data.getFileName()
                + "\", \"iterations\": 2, \"samplesPerPrompt\": 2, \"beta\": [0.1, 5.0], \"seed\": 3}")
                .post("/runs").then().statusCode(201).header("Location", containsString("/runs/run-"))
                .body("status", equalTo("RUNNING")).extract().path("runId");
        given().get("/runs?limit=1").then().statusCode(200).body("[0].runId", equalTo(runId)).header("X-Total-Count", org.hamcrest.Matchers.notNullValue());
        StackEndpoints e = SharedStack.endpoints();
        TopicReader reader = new TopicReader(e.kafkaClientConfig(), e.registryApiV3());
        await(() -> reader.runHistory(runId).stream().anyMatch(ev -> ev.getPayload() instanceof SftRequested), "SftRequested");
        given().get("/runs/" + runId).then().statusCode(200).body("progress.phase", equalTo("SFT"));
        // the dataset file is kept, content-addressed, and the run names that copy: services read it, not the topic
        io.spin.contract.RunConfig recorded = reader.runHistory(runId).stream().map(ControlEvent::getPayload)
                .filter(p -> p instanceof io.spin.contract.RunRequested).map(p -> ((io.spin.contract.RunRequested) p).getConfig())
                .findFirst().orElseThrow();
        byte[] file = Files.readAllBytes(data);
        assertEquals(io.spin.data.Sha256.of(file), recorded.getTrainDataset().getSha256());
        assertTrue(recorded.getTrainDataset().getUri().endsWith("/datasets/" + io.spin.data.Sha256.of(file) + "/" + data.getFileName()),
                recorded.getTrainDataset().getUri());
        io.spin.storage.ObjectStorage storage = e.objectStorage();
        org.junit.jupiter.api.Assertions.assertArrayEquals(file, storage.getBytes(storage.keyOf(recorded.getTrainDataset().getUri())));

        CheckpointRef sft = CheckpointRef.newBuilder().setId(runId + "/iter-0").setUri("s3://spin/runs/" + runId + "/iter-0/checkpoint/")
                .setManifestSha256("ab".repeat(32)).build();
        try (ControlPublisher publisher = new ControlPublisher(e.kafkaBootstrap(), e.registryApiV3(), io.spin.contract.ServicePrincipal.TRAINER)) {
            publisher.publish(new ControlEvents("test").of(runId, CheckpointReady.newBuilder().setIteration(-1).setCheckpoint(sft)
                    .setTraining(TrainingMetrics.newBuilder().setSteps(1).setLoss(1.0).build()).build()));
        }
        await(() -> reader.runHistory(runId).stream().anyMatch(ev -> ev.getPayload() instanceof IterationStarted), "IterationStarted");
        IterationStarted started = (IterationStarted) reader.runHistory(runId).stream().map(ControlEvent::getPayload)
                .filter(p -> p instanceof IterationStarted).findFirst().orElseThrow();
        assertEquals(14, started.getExpectedPairs());
        assertEquals(sft, started.getPolicy());
        assertEquals(0.1, started.getBeta());
        Set<String> keys = new HashSet<>();
        int[] count = {0};
        reader.<Object>readAll(SpinTopic.GENERATION_REQUESTS.topicName(), r -> {
            if (r.value() instanceof GenerationRequest g && g.getRunId().equals(runId)) {
                keys.add(r.key());
                count[0]++;
            }
        });
        assertEquals(14, count[0], "one request per (prompt, sample), none doubled");
        assertEquals(14, keys.size());
        given().get("/runs/" + runId).then().body("progress.phase", equalTo("GENERATING")).body("progress.expected", equalTo(14));

        // the run index holds the run with the request's time while it is open, and how it ended once it has
        java.time.Instant requestedAt = reader.runHistory(runId).get(0).getTimestamp();
        assertEquals(List.of(io.spin.contract.RunStatus.RUNNING), indexed(reader, runId).stream().map(io.spin.contract.RunSummary::getStatus).toList());
        assertEquals(requestedAt, indexed(reader, runId).get(0).getRequestedAt());
        given().delete("/runs/" + runId).then().statusCode(202);
        given().get("/runs/" + runId).then().body("status", equalTo("CANCELLED")).body("stopReason", equalTo("cancelled by user"));
        // the live view: server-sent reports, the last one the run's end, then the stream closes
        String events = given().accept("text/event-stream").get("/runs/" + runId + "/events").then().statusCode(200).extract().asString();
        assertTrue(events.startsWith("data:") && events.contains("\"status\":\"CANCELLED\"") && events.contains("\"lossCurve\""), events);
        given().accept("text/event-stream").get("/runs/run-nope/events").then().statusCode(404);
        await(() -> indexed(reader, runId).size() == 2, "the run indexed as ended");
        io.spin.contract.RunSummary ended = indexed(reader, runId).get(1);
        assertEquals(io.spin.contract.RunStatus.CANCELLED, ended.getStatus());
        assertEquals(requestedAt, ended.getRequestedAt());
        assertEquals("cancelled by user", ended.getStopReason());
        assertTrue(!ended.getEndedAt().isBefore(requestedAt));
        List<?> runs = given().get("/runs").then().statusCode(200).extract().jsonPath().getList("runId");
        assertTrue(runs.contains(runId));
        // ended and indexed: it leaves memory (none kept in tests), and its report reads back the same from its partition
        String before = given().get("/runs/" + runId).then().statusCode(200).extract().asString();
        await(() -> !orchestrator.holds(runId), "the ended run to leave memory");
        // no open run uses its dataset: the human-responses table forgets it (a tombstone per row, after its 7 rows)
        Map<String, Boolean> rows = latestRowIsTombstone(e, recorded.getTrainDatasetId());
        assertEquals(7, rows.size(), rows.toString());
        assertTrue(rows.values().stream().allMatch(t -> t), rows.toString());
        assertEquals(before, given().get("/runs/" + runId).then().statusCode(200).extract().asString());
        assertTrue(given().get("/runs").then().statusCode(200).extract().jsonPath().getList("runId").contains(runId));
        // the report is typed in the OpenAPI document, down to the per-iteration metrics
        given().get("/q/openapi").then().statusCode(200).body(containsString("/runs")).body(containsString("RunReport:"))
                .body(containsString("humanLogpPerToken")).body(containsString("overheadShare"));
    }

    /** Per key of the dataset's rows on the human-responses topic: whether its latest record is a tombstone. */
    private static Map<String, Boolean> latestRowIsTombstone(StackEndpoints e, String datasetId) {
        Map<String, Object> config = new java.util.HashMap<>(e.kafkaClientConfig());
        config.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);
        config.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class);
        config.put("isolation.level", "read_committed");
        Map<String, Boolean> latest = new java.util.TreeMap<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(config)) {
            var partitions = consumer.partitionsFor(SpinTopic.HUMAN_RESPONSES.topicName()).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (var r : consumer.poll(java.time.Duration.ofMillis(500))) {
                    if (r.key() != null && r.key().startsWith(datasetId + "/")) {
                        latest.put(r.key(), r.value() == null);
                    }
                }
            }
        }
        return latest;
    }

    private static List<io.spin.contract.RunSummary> indexed(TopicReader reader, String runId) {
        List<io.spin.contract.RunSummary> entries = new java.util.ArrayList<>();
        reader.<Object>readAll(SpinTopic.RUNS.topicName(), r -> {
            if (runId.equals(r.key()) && r.value() instanceof io.spin.contract.RunSummary s) {
                entries.add(s);
            }
        });
        return entries;
    }

    @Test
    void aFencedProducerIsReplacedAndRunsStillStart() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port);
        StackEndpoints e = SharedStack.endpoints();
        String transactionalId = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("spin.orchestrator.transactional-id", String.class);
        var config = new java.util.HashMap<>(ControlPublisher.producerConfig(e.kafkaBootstrap(), e.registryApiV3()));
        config.put(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        try (var usurper = new org.apache.kafka.clients.producer.KafkaProducer<String, Object>(config)) {
            usurper.initTransactions(); // a second orchestrator with the same id: ours is fenced now
        }
        String runId = given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/eval.jsonl\", \"iterations\": 1}")
                .post("/runs").then().statusCode(201).extract().path("runId");
        TopicReader reader = new TopicReader(e.kafkaClientConfig(), e.registryApiV3());
        await(() -> reader.runHistory(runId).stream().anyMatch(ev -> ev.getPayload() instanceof SftRequested), "SftRequested");
        given().get("/q/health/ready").then().statusCode(200);
        given().delete("/runs/" + runId).then().statusCode(202);
    }

    @Test
    void anIterationWhoseGenerationMakesNoProgressFailsTheRunWithTheReason() throws Exception {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port);
        StackEndpoints e = SharedStack.endpoints();
        // no generator runs in this test: the iteration's requests are never answered
        String runId = given().contentType(ContentType.JSON).body("{\"trainDataset\": \"data/wordnet/eval.jsonl\", \"iterations\": 1, "
                + "\"generationStallSeconds\": 2}").post("/runs").then().statusCode(201).extract().path("runId");
        CheckpointRef sft = CheckpointRef.newBuilder().setId(runId + "/iter-0").setUri("s3://spin/runs/" + runId + "/iter-0/checkpoint/")
                .setManifestSha256("cd".repeat(32)).build();
        try (ControlPublisher publisher = new ControlPublisher(e.kafkaBootstrap(), e.registryApiV3(), io.spin.contract.ServicePrincipal.TRAINER)) {
            publisher.publish(new ControlEvents("test").of(runId, CheckpointReady.newBuilder().setIteration(-1).setCheckpoint(sft)
                    .setTraining(TrainingMetrics.newBuilder().setSteps(1).setLoss(1.0).build()).build()));
        }
        await(() -> "FAILED".equals(given().get("/runs/" + runId).then().extract().path("status")), "the stalled run to fail");
        given().get("/runs/" + runId).then().body("stopReason", containsString("iteration 0: no generation progress"))
                .body("stopReason", containsString("0 of "));
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            sleep(300);
        }
        throw new AssertionError(what + " not seen within 60 s");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
