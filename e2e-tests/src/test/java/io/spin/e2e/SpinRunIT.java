package io.spin.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.spin.data.Sha256;
import io.spin.commons.kafka.PairReplay;
import io.spin.commons.kafka.TopicReader;
import io.spin.storage.ObjectStorage;
import io.spin.contract.PreferencePair;
import io.spin.contract.SpinTopic;
import io.spin.checkpoint.CheckpointStore;
import io.spin.stack.LocalServices;
import io.spin.stack.LocalStack;
import io.spin.cli.RunClient;
import io.spin.stack.SharedStack;
import io.spin.commons.stack.StackEndpoints;

/**
 * A whole SPIN run (SFT + 2 iterations, tiny model, 24 prompts x 2 samples) through the real broker, registry and
 * S3 server, with the four packaged services running as separate processes, driven through the REST API.
 */
class SpinRunIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static StackEndpoints endpoints;
    static LocalServices services;
    static ObjectStorage storage;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        endpoints = SharedStack.endpoints();
        storage = endpoints.objectStorage();
        home = Files.createTempDirectory("spin-e2e-");
        services = new LocalServices(home, ROOT, freeBlock(), 1, System.out);
        services.up(endpoints);
    }

    @AfterAll
    static void stop() throws IOException {
        if (services != null) {
            services.down();
        }
    }

    /** The run followed to its end, within 10 minutes. */
    private static JsonNode follow(RunClient client, String runId) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.follow(runId, Duration.ofMillis(500));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).get(10, TimeUnit.MINUTES);
    }

    @Test
    void aRunStartsFromAGpt2InHuggingFaceLayout() throws Exception {
        // a user's model directory: a (tiny, random) GPT2LMHeadModel with its own tokenizer, as transformers saves it
        Path model = home.resolve("gpt2-dir");
        var tokenizer = io.spin.core.text.HuggingFaceTokenizer.load(ROOT.resolve("spin-core/src/test/resources/hf/tokenizer.json"),
                "[BOS]", "[EOS]", "[PAD]");
        try (var policy = io.spin.core.model.Policy.create(new io.spin.data.model.ModelConfig(1, 32, 2, 256, tokenizer.vocabSize()),
                new io.spin.data.text.PromptFormat(io.spin.data.text.PromptFormat.DEFAULT_TEMPLATE, tokenizer), 5)) {
            io.spin.core.hf.HfModels.save(policy, model, io.spin.data.hf.TensorType.BF16);
        }
        Path train = home.resolve("train-hf.jsonl");
        Path eval = home.resolve("eval-hf.jsonl");
        Files.write(train, Files.readAllLines(ROOT.resolve("data/wordnet/train.jsonl")).subList(100, 116));
        Files.write(eval, Files.readAllLines(ROOT.resolve("data/wordnet/eval.jsonl")).subList(0, 4));
        RunClient client = new RunClient(services.orchestratorUrl(), storage, System.out);
        var imported = client.importModel(model);
        assertEquals(imported, client.importModel(model), "the same directory is the same checkpoint");
        Map<String, Object> request = new HashMap<>(Map.of("trainDataset", client.upload(train), "evalDataset", client.upload(eval),
                "iterations", 1, "batchSize", 8, "seed", 3, "sftCheckpoint", Map.of("uri", imported.uri(), "manifestSha256", imported.manifestSha256())));
        request.put("sampling", Map.of("maxNewTokens", 8));
        String runId = client.submit(request);
        JsonNode run = follow(client, runId);
        assertEquals("COMPLETED", run.path("status").asText(), run.toPrettyString());
        JsonNode it0 = run.path("iterations").get(0);
        assertEquals(16, it0.path("pairs").asInt());
        assertEquals(imported.manifestSha256(), it0.path("checkpoint").path("parent").path("sha256").asText(), "pi_1 was trained from the import");
        assertTrue(run.path("sft").path("eval").path("humanLogpPerToken").asDouble() < 0, "the imported pi_0, evaluated: " + run.path("sft"));
        // pi_1 exports back to Hugging Face layout, in the imported model's dtype, with its tokenizer (./spin export checkpoint)
        Path pi1 = io.spin.export.ExportCheckpoint.export(endpoints, runId, 1, home.resolve("pi1-hf"), null, home.resolve("cache-hf"));
        io.spin.data.hf.HfConfig exported = io.spin.data.hf.HfConfig.read(pi1.resolve("config.json"));
        assertEquals(io.spin.data.hf.TensorType.BF16, exported.dtype());
        assertEquals(32, exported.hidden());
        assertEquals(Files.readString(model.resolve("tokenizer.json")), Files.readString(pi1.resolve("tokenizer.json")));
        assertTrue(io.spin.data.hf.HfImport.check(pi1).files().contains("model.safetensors"), "a directory SPIN itself would import again");
        assertTrue(!java.util.Arrays.equals(io.spin.data.hf.SafeTensors.open(model.resolve("model.safetensors")).floats("wte.weight"),
                io.spin.data.hf.SafeTensors.open(pi1.resolve("model.safetensors")).floats("wte.weight")), "SPIN training changed the weights");
        Path pi0 = io.spin.export.ExportCheckpoint.export(endpoints, runId, 0, home.resolve("pi0-hf"), null, home.resolve("cache-hf"));
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                io.spin.data.hf.SafeTensors.open(model.resolve("model.safetensors")).floats("h.0.mlp.c_fc.weight"),
                io.spin.data.hf.SafeTensors.open(pi0.resolve("model.safetensors")).floats("h.0.mlp.c_fc.weight"), "pi_0 is the import, unchanged");
        var missing = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> io.spin.export.ExportCheckpoint.export(endpoints, runId, 5, home.resolve("none"), null, home.resolve("cache-hf")));
        assertEquals("run " + runId + " has no pi_5; it has pi_0 to pi_1", missing.getMessage());
    }

    /**
     * The shape users bring, at toy size: a LlamaForCausalLM (grouped-query attention, own output layer) with a
     * byte-level BPE tokenizer and a ChatML template, trained on two-turn conversations; SFT skipped, 2 iterations;
     * pi_2 exported and read by the PyTorch reference, whose log-probs equal ours.
     */
    @Test
    void aLlamaWithABpeTokenizerRunsSpinOnConversationsAndItsExportReadsTheSameInPyTorch() throws Exception {
        Path model = llamaDirectory("llama-dir");
        // two-turn conversations: define one word, then the next; the second gloss is the human response
        List<JsonNode> words = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve("data/wordnet/train.jsonl")).subList(200, 224)) {
            words.add(new ObjectMapper().readTree(line));
        }
        Path train = home.resolve("train-chat.jsonl");
        List<String> conversations = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            JsonNode a = words.get(2 * i);
            JsonNode b = words.get(2 * i + 1);
            conversations.add(new ObjectMapper().writeValueAsString(Map.of("id", "c" + i, "messages", List.of(
                    Map.of("role", "user", "content", a.path("prompt").asText()), Map.of("role", "assistant", "content", a.path("response").asText()),
                    Map.of("role", "user", "content", b.path("prompt").asText()), Map.of("role", "assistant", "content", b.path("response").asText())))));
        }
        Files.write(train, conversations);
        Path eval = home.resolve("eval-chat.jsonl");
        Files.write(eval, Files.readAllLines(ROOT.resolve("data/wordnet/eval.jsonl")).subList(0, 4));
        RunClient client = new RunClient(services.orchestratorUrl(), storage, System.out);
        var imported = client.importModel(model);
        Map<String, Object> request = new HashMap<>(Map.of("trainDataset", client.upload(train), "evalDataset", client.upload(eval),
                "iterations", 2, "batchSize", 6, "seed", 5, "sftCheckpoint", Map.of("uri", imported.uri(), "manifestSha256", imported.manifestSha256())));
        request.put("sampling", Map.of("maxNewTokens", 12));
        String runId = client.submit(request);
        JsonNode run = follow(client, runId);
        assertEquals("COMPLETED", run.path("status").asText(), run.toPrettyString());
        assertEquals(2, run.path("iterations").size());

        TopicReader reader = new TopicReader(endpoints.kafkaClientConfig(), endpoints.registryApiV3());
        List<PreferencePair> pairs = new ArrayList<>();
        reader.<Object>readAll(SpinTopic.PAIRS.topicName(), r -> {
            if (r.value() instanceof PreferencePair p && p.getRunId().equals(runId)) {
                pairs.add(p);
            }
        });
        assertEquals(24, pairs.size(), "12 conversations x 2 iterations");
        PreferencePair first = pairs.stream().filter(p -> p.getPromptId().equals("c0")).findFirst().orElseThrow();
        assertEquals(words.get(0).path("prompt").asText(), first.getContext().get(0).getContent(), "the earlier turns travel with the pair");
        assertEquals(words.get(1).path("prompt").asText(), first.getPrompt());
        assertEquals(words.get(1).path("response").asText(), first.getChosen());

        Path pi2 = io.spin.export.ExportCheckpoint.export(endpoints, runId, 2, home.resolve("pi2-llama"), null, home.resolve("cache-llama"));
        io.spin.data.hf.HfConfig exported = io.spin.data.hf.HfConfig.read(pi2.resolve("config.json"));
        assertEquals("LlamaForCausalLM", exported.architecture());
        assertEquals(2, exported.kvHeads());
        assertEquals(io.spin.data.hf.TensorType.BF16, exported.dtype());
        var reference = io.spin.core.hf.PyTorchReference.find(ROOT);
        org.junit.jupiter.api.Assumptions.assumeTrue(reference != null, "no Python with torch here: the run passed, the PyTorch check is skipped");
        try (var pi = io.spin.core.hf.HfModels.load(pi2, io.spin.data.text.PromptFormat.DEFAULT_TEMPLATE);
             var manager = pi.manager().newSubManager()) {
            int[] prompt = pi.format().prompt(io.spin.commons.ChatTurns.fromEvent(first.getContext()), first.getPrompt(), 96).ids();
            int[] response = pi.format().response(first.getChosen(), 96).ids();
            double ours = io.spin.core.train.LogProbs.sequenceLogProbs(pi, manager,
                    io.spin.core.train.SequenceBatch.of(List.of(prompt), List.of(response), pi.format().tokenizer().pad()), false).getFloat(0);
            double theirs = reference.logProb(pi2, prompt, response);
            System.out.printf("log p(chosen | conversation), %d + %d tokens: SPIN %.6f, PyTorch reference %.6f%n", prompt.length,
                    response.length, ours, theirs);
            assertEquals(theirs, ours, 2e-3, "log p(chosen | conversation) under the exported pi_2, ours vs PyTorch's");
        }
    }

    /** A (tiny, random) LlamaForCausalLM with a byte-level BPE tokenizer and a ChatML template, as transformers saves it. */
    private static Path llamaDirectory(String name) throws Exception {
        Path bpe = ROOT.resolve("spin-core/src/test/resources/hf/bpe");
        Path model = home.resolve(name);
        var tokenizer = io.spin.core.text.HuggingFaceTokenizer.load(bpe.resolve("tokenizer.json"), "<|im_end|>", "<|im_end|>", "<|endoftext|>");
        var format = io.spin.data.text.PromptFormat.chat(new io.spin.core.text.JinjaChatTemplate(
                io.spin.core.hf.HfModels.chatTemplate(bpe), "", "<|im_end|>"), tokenizer);
        var config = io.spin.data.model.ModelConfig.llama(2, 64, 4, 2, 256, tokenizer.vocabSize(), 128, 500000.0, false);
        try (var policy = io.spin.core.model.Policy.create(config, format, 9)) {
            io.spin.core.hf.HfModels.save(policy, model, io.spin.data.hf.TensorType.BF16);
        }
        Files.copy(bpe.resolve("tokenizer_config.json"), model.resolve("tokenizer_config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return model;
    }

    /**
     * LoRA (rank 8, alpha 16) on an imported Llama: 2 SPIN iterations whose checkpoints hold only the adapters, the
     * base stored once; pi_2 exported merged (--format hf) and as a PEFT adapter (--format peft) on the base directory:
     * both give the eval log-prob per token the run's report claims.
     */
    @Test
    void aLoraRunStoresOnlyAdaptersAndBothExportsGiveTheEvalLogProbTheReportClaims() throws Exception {
        Path model = llamaDirectory("llama-lora-dir");
        Path train = home.resolve("train-lora.jsonl");
        Path eval = home.resolve("eval-lora.jsonl");
        Files.write(train, Files.readAllLines(ROOT.resolve("data/wordnet/train.jsonl")).subList(300, 312));
        Files.write(eval, Files.readAllLines(ROOT.resolve("data/wordnet/eval.jsonl")).subList(0, 4));
        RunClient client = new RunClient(services.orchestratorUrl(), storage, System.out);
        var imported = client.importModel(model);
        Map<String, Object> request = new HashMap<>(Map.of("trainDataset", client.upload(train), "evalDataset", client.upload(eval),
                "iterations", 2, "batchSize", 6, "seed", 7, "learningRate", List.of(5e-3),
                "sftCheckpoint", Map.of("uri", imported.uri(), "manifestSha256", imported.manifestSha256())));
        request.put("sampling", Map.of("maxNewTokens", 8));
        request.put("lora", Map.of("rank", 8, "alpha", 16));
        request.put("microBatch", 3);
        request.put("checkpointLayers", true); // the recomputing backward, through the whole system
        String runId = client.submit(request);
        JsonNode run = follow(client, runId);
        assertEquals("COMPLETED", run.path("status").asText(), run.toPrettyString());
        JsonNode config = run.path("config");
        assertEquals(8, config.path("lora").path("rank").asInt(), config.toPrettyString());
        assertTrue(config.path("checkpointLayers").asBoolean() && config.path("microBatch").asInt() == 3, config.toPrettyString());
        JsonNode last = run.path("iterations").get(1);
        double claimed = last.path("eval").path("humanLogpPerToken").asDouble();
        // the sampler's and the trainer's log-prob of the same rejected tokens under pi_1: float32 both, so (nearly) equal
        assertEquals(12, last.path("training").path("samplerLogpCompared").asInt(), last.path("training").toPrettyString());
        assertTrue(last.path("training").path("samplerLogpDiffMax").asDouble() < 1e-2, last.path("training").toPrettyString());

        CheckpointStore checkpoints = new CheckpointStore(storage, home.resolve("cache-lora"));
        for (int i = 0; i < 2; i++) {
            JsonNode ref = run.path("iterations").get(i).path("checkpoint");
            var files = io.spin.core.checkpoint.CheckpointFiles.readManifest(checkpoints.fetch(ref.path("uri").asText(), ref.path("sha256").asText()))
                    .files().stream().map(f -> f.name()).toList();
            assertTrue(files.contains("adapter_model.safetensors") && !files.contains("model.params"), "pi_" + (i + 1) + " holds " + files);
        }
        Path merged = io.spin.export.ExportCheckpoint.export(endpoints, runId, 2, home.resolve("pi2-merged"), io.spin.data.hf.TensorType.F32, false,
                home.resolve("cache-lora"));
        Path adapter = io.spin.export.ExportCheckpoint.export(endpoints, runId, 2, home.resolve("pi2-peft"), null, true, home.resolve("cache-lora"));
        JsonNode adapterConfig = new ObjectMapper().readTree(adapter.resolve("adapter_config.json").toFile());
        assertEquals(8, adapterConfig.path("r").asInt());
        assertEquals(16.0, adapterConfig.path("lora_alpha").asDouble());
        var examples = io.spin.data.JsonlDataset.read(eval);
        var merged32 = io.spin.core.hf.HfModels.load(merged, io.spin.data.text.PromptFormat.DEFAULT_TEMPLATE);
        var base = io.spin.core.hf.HfModels.load(model, io.spin.data.text.PromptFormat.DEFAULT_TEMPLATE);
        try (merged32; base) {
            io.spin.core.hf.HfModels.loadPeft(base, adapter);
            for (var policy : List.of(merged32, base)) {
                var encoded = io.spin.core.data.Encoding.encode(examples, policy.format(), 96, 96);
                double logp = new io.spin.core.eval.Evaluator(6, 8).evaluate(policy, encoded.examples(),
                        examples.stream().map(io.spin.data.Example::response).toList()).humanLogpPerToken();
                assertEquals(claimed, logp, 2e-3, (policy == base ? "base + PEFT adapter" : "merged export") + " vs the report's " + claimed);
            }
        }
    }

    /** What each service's /q/metrics shows of the run just ended (24 prompts x 2 samples, 2 iterations). */
    private static void everyServiceExportsTheRunsMetrics(String runId) throws Exception {
        Map<String, String> urls = services.metricsUrls();
        for (String api : services.urls().values()) { // metrics only on the management port: the API's port has none
            var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            assertEquals(404, client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/q/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode(), api);
        }
        String run = "run=\"" + runId + "\"";
        String generator = scrape(urls.get("generator"));
        assertEquals(96.0, value(generator, "spin_generator_samples_total", run), "48 samples x 2 iterations");
        assertTrue(value(generator, "spin_generator_tokens_total", run) >= 96, generator);
        assertTrue(generator.contains("spin_generator_batch_seconds_bucket{"), "the batch time is a histogram");
        assertTrue(generator.contains("kafka_consumer_fetch_manager_records_lag_max{client_id=\"kafka-consumer-generation-requests\""),
                "the Kafka clients' own metrics, the request consumer's lag among them");
        String pairs = scrape(urls.get("pair-builder"));
        assertEquals(96.0, value(pairs, "spin_pairs_total", run));
        assertEquals(1.0, value(pairs, "spin_iteration_progress_ratio", run, "iteration=\"1\""));
        String trainer = scrape(urls.get("trainer"));
        assertTrue(value(trainer, "spin_trainer_steps_total", run) >= 3, trainer);
        assertTrue(value(trainer, "spin_trainer_tokens_total", run) > 0);
        assertTrue(Double.isFinite(value(trainer, "spin_trainer_loss", run)));
        assertTrue(value(trainer, "spin_checkpoint_upload_bytes_total", run) > 0);
        assertTrue(trainer.contains("spin_trainer_step_seconds_count{" ), trainer);
        long deadline = System.currentTimeMillis() + 15_000; // the orchestrator counts its runs every 5 s
        while (value(scrape(urls.get("orchestrator")), "spin_runs", "status=\"COMPLETED\"") < 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
        }
        assertTrue(value(scrape(urls.get("orchestrator")), "spin_runs", "status=\"COMPLETED\"") >= 1);
        // every metric a panel of the Grafana dashboard queries is one some service exports
        String all = generator + pairs + trainer + scrape(urls.get("orchestrator"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"expr\": \"([^\"]|\\\\\")*\"")
                .matcher(Files.readString(ROOT.resolve("k8s/overlays/monitoring/spin-dashboard.json")));
        int queried = 0;
        while (m.find()) {
            java.util.regex.Matcher name = java.util.regex.Pattern.compile("\\b((?:spin|kafka)_[a-z_]+)\\b").matcher(m.group());
            while (name.find()) {
                queried++;
                assertTrue(all.contains("\n" + name.group(1) + "{"), "the dashboard queries " + name.group(1) + ", which no service exports");
            }
        }
        assertTrue(queried >= 11, "the dashboard's queries were read: " + queried);
    }

    private static String scrape(String metricsUrl) throws Exception {
        var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(metricsUrl)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), metricsUrl);
        return response.body();
    }

    /** The value of the series {@code name{...}} whose labels contain each of {@code labels}; NaN when absent. */
    private static double value(String exposition, String name, String... labels) {
        for (String line : exposition.lines().toList()) {
            if (line.startsWith(name + "{") && java.util.Arrays.stream(labels).allMatch(line::contains)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    @Test
    void sftAndTwoIterationsCompleteWithOnePairPerPromptAndSampleAndACheckpointChain() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("data/wordnet/train.jsonl"));
        Path train = home.resolve("train.jsonl");
        Path eval = home.resolve("eval.jsonl");
        Files.write(train, lines.subList(0, 24));
        Files.write(eval, Files.readAllLines(ROOT.resolve("data/wordnet/eval.jsonl")).subList(0, 8));
        RunClient client = new RunClient(services.orchestratorUrl(), storage, System.out);
        Map<String, Object> request = new HashMap<>(Map.of("trainDataset", client.upload(train), "evalDataset", client.upload(eval),
                "modelPreset", "tiny", "iterations", 2, "sftEpochs", 1, "samplesPerPrompt", 2, "batchSize", 8, "seed", 11));
        request.put("sampling", Map.of("maxNewTokens", 24));
        String runId = client.submit(request);
        // the live view, subscribed as the run starts: one report per change, the last one COMPLETED, then the end
        var live = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().sendAsync(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(services.orchestratorUrl() + "/runs/" + runId + "/events")).header("Accept", "text/event-stream").build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        // a compromised generator tries to cancel, fail and misdirect the run: the broker or the orchestrator refuse it all
        Forgery forgery = new Forgery(endpoints, runId);
        forgery.attempt();
        JsonNode run;
        try (ConcurrentReaders readers = new ConcurrentReaders(6, services.orchestratorUrl(), runId)) {
            run = follow(client, runId);
            readers.close();
            assertTrue(readers.failures().isEmpty(), readers.failures().size() + " of " + readers.reads() + " reads failed: "
                    + readers.failures().subList(0, Math.min(5, readers.failures().size())));
            assertTrue(readers.reads() > 100, "6 readers for the whole run made only " + readers.reads() + " reads");
        }
        List<JsonNode> seen = new ArrayList<>();
        for (String line : live.get(1, TimeUnit.MINUTES).body().filter(l -> l.startsWith("data:")).toList()) {
            seen.add(new ObjectMapper().readTree(line.substring(5)));
        }
        List<String> phases = seen.stream().map(r -> r.path("progress").path("phase").asText()).distinct().toList();
        assertTrue(phases.containsAll(List.of("SFT", "GENERATING", "TRAINING", "COMPLETED")), "phases seen live: " + phases);
        assertEquals("COMPLETED", seen.get(seen.size() - 1).path("status").asText());
        assertTrue(seen.get(seen.size() - 1).path("iterations").get(1).path("lossCurve").size() > 0, "the loss curve of iteration 1");

        assertEquals("COMPLETED", run.path("status").asText(), run.toPrettyString());
        assertEquals("max iterations (2) reached", run.path("stopReason").asText());
        everyServiceExportsTheRunsMetrics(runId);
        RunClient runs = new RunClient(services.orchestratorUrl(), storage, System.out);
        assertEquals(runId, runs.list(5).get(0).path("runId").asText(), "./spin runs: newest first");
        org.junit.jupiter.api.Assertions.assertThrows(RunClient.NotFound.class, () -> runs.cancel("run-nope"), "./spin cancel: exit 3");
        // the API's changes need the installation's bearer token (RunClient sends it); reads do not
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var anonymous = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(services.orchestratorUrl() + "/runs"))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertTrue(anonymous.body().contains("needs a bearer token"), anonymous.body());
        var wrong = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(services.orchestratorUrl() + "/runs/" + runId))
                .header("Authorization", "Bearer not-the-token").DELETE().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode(), wrong.body());
        assertEquals(200, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(services.orchestratorUrl() + "/runs/" + runId)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode(), "reads stay open by default");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve(io.spin.stack.ApiToken.FILE))), "the token file is the user's alone");
        Path report = home.resolve("report.json");
        RunClient.writeReport(run, report);
        JsonNode written = new ObjectMapper().readTree(report.toFile());
        for (String key : List.of("runId", "status", "stopReason", "sft", "iterations")) {
            assertTrue(written.has(key), "report has " + key);
        }

        // exactly one pair per (prompt, sample) per iteration in the pairs topic
        Map<String, Integer> pairsPerKey = RunRecords.perKey(new TopicReader(endpoints.kafkaClientConfig(), endpoints.registryApiV3()), SpinTopic.PAIRS, runId);
        assertEquals(96, pairsPerKey.size(), "24 prompts x 2 samples x 2 iterations");
        assertTrue(pairsPerKey.values().stream().allMatch(n -> n == 1), "no pair doubled: " + pairsPerKey);
        forgery.assertRefused(new TopicReader(endpoints.kafkaClientConfig(), endpoints.registryApiV3()));

        // the checkpoint chain: pi_0 (SFT) -> pi_1 -> pi_2, each parent the previous, each verifiable
        JsonNode sft = run.path("sft").path("checkpoint");
        JsonNode it0 = run.path("iterations").get(0);
        JsonNode it1 = run.path("iterations").get(1);
        assertEquals(sft.path("sha256").asText(), it0.path("checkpoint").path("parent").path("sha256").asText());
        assertEquals(it0.path("checkpoint").path("sha256").asText(), it1.path("checkpoint").path("parent").path("sha256").asText());
        CheckpointStore checkpoints = new CheckpointStore(storage, home.resolve("cache"));
        for (JsonNode c : List.of(sft, it0.path("checkpoint"), it1.path("checkpoint"))) {
            checkpoints.fetch(c.path("uri").asText(), c.path("sha256").asText());
        }

        // the training window: iteration 0 trains on its own pairs, iteration 1 on those of 1 and 0
        assertEquals("[0]", it0.path("training").path("windowIterations").toString());
        assertEquals("[0,1]", it1.path("training").path("windowIterations").toString());
        assertEquals(6, it0.path("training").path("steps").asInt(), "48 pairs / batch 8");
        assertEquals(12, it1.path("training").path("steps").asInt(), "96 pairs / batch 8");

        List<Double> metrics = new ArrayList<>();
        for (JsonNode it : List.of(it0, it1)) {
            assertEquals(48, it.path("pairs").asInt());
            JsonNode snapshot = it.path("pairsSnapshot");
            assertEquals(snapshot.path("sha256").asText(), Sha256.of(storage.getBytes(storage.keyOf(snapshot.path("uri").asText()))));
            for (String k : List.of("loss", "rewardsReal", "rewardsGenerated", "rewardsMargin", "rewardsAccuracy", "logpsReal", "logpsGenerated")) {
                metrics.add(it.path("training").path(k).asDouble(Double.NaN));
            }
            for (String k : List.of("humanLogpPerToken", "exactMatchRate", "meanSimilarity")) {
                metrics.add(it.path("eval").path(k).asDouble(Double.NaN));
            }
            for (String k : List.of("exactMatchRate", "meanSimilarity", "tokensPerSecond")) {
                metrics.add(it.path("generation").path(k).asDouble(Double.NaN));
            }
            // where the iteration's time went: every stage measured, and the stages fit in the wall time
            JsonNode t = it.path("timings");
            for (String k : List.of("generating", "pairing", "loading", "reference", "training", "evaluating", "uploading", "wall", "overhead")) {
                assertTrue(t.path(k).isNumber() && t.path(k).asDouble() >= 0, k + " in " + t);
            }
            assertTrue(t.path("generating").asDouble() + t.path("training").asDouble() <= t.path("wall").asDouble() + 1e-6, t.toString());
            assertTrue(t.path("overheadShare").asDouble() >= 0 && t.path("overheadShare").asDouble() <= 1, t.toString());
        }
        assertTrue(metrics.stream().allMatch(Double::isFinite), "finite metrics: " + metrics);

        // replay: the pairs topic alone rebuilds each iteration's snapshot byte for byte
        List<PairReplay.Result> replayed = new PairReplay(new TopicReader(endpoints.kafkaClientConfig(), endpoints.registryApiV3()))
                .replay(runId, null, n -> { });
        assertEquals(2, replayed.size());
        for (PairReplay.Result r : replayed) {
            assertTrue(r.identical(), "iteration " + r.iteration() + " rebuilt identical to its snapshot");
            assertEquals(48, r.pairs().size());
        }

        // the same, and the exports, as users run them: the spin CLI as its own JVM on its shipped classpath
        Path replayed2 = home.resolve("replayed");
        Cli replay = cli("replay", "--run", runId, "--all", "--out", replayed2.toString());
        assertEquals(0, replay.exit(), replay.output());
        assertEquals(2, replay.output().lines().filter(l -> l.contains("byte-identical")).count(), replay.output());
        Path trl = home.resolve("trl.jsonl");
        assertEquals(0, cli("export", "pairs", "--run", runId, "--iteration", "1", "--format", "trl", "--out", trl.toString()).exit());
        List<String> rows = Files.readAllLines(trl);
        assertEquals(48, rows.size());
        JsonNode row = new ObjectMapper().readTree(rows.get(0));
        assertTrue(row.has("prompt") && row.has("chosen") && row.has("rejected"), rows.get(0));
        Path samples = home.resolve("samples.jsonl");
        assertEquals(0, cli("export", "samples", "--run", runId, "--iteration", "0", "--out", samples.toString()).exit());
        assertEquals(48, Files.readAllLines(samples).size());
        Path humans = home.resolve("humans.jsonl");
        String dataset = run.path("config").path("trainDatasetId").asText();
        assertEquals(0, cli("export", "humans", "--dataset", dataset, "--out", humans.toString()).exit());
        assertEquals(24, Files.readAllLines(humans).size());
    }

    record Cli(int exit, String output) {
    }

    /** Runs {@code spin ARGS} exactly as the spin script does, pointed at the test's stack. */
    static Cli cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                ROOT.resolve("spin-cli/target/spin-cli.jar") + java.io.File.pathSeparator + ROOT.resolve("spin-cli/target/lib/*"),
                "io.spin.cli.SpinCli"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(endpoints.asEnvironment());
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int exit = p.waitFor();
        System.out.println("spin " + String.join(" ", args) + " -> " + exit + "\n" + output);
        return new Cli(exit, output);
    }

    /** A free block of ports for the services (orchestrator .. trainer, more generators). */
    /**
     * Six consecutive free ports for the services, and the six 100 above them (their management ports), below Linux's
     * ephemeral range (32768+): a port the kernel may hand to any outgoing connection (hundreds of Kafka clients here)
     * can be taken between this check and the service's bind.
     */
    static int freeBlock() throws IOException {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + random.nextInt(12_000);
            boolean free = true;
            // the services' API ports and their management ports (each API port + 100)
            for (int p = base; p < base + 6 && free; p++) {
                free = LocalStack.portFree(p) && LocalStack.portFree(p + 100);
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free block of 6 ports");
    }
}
