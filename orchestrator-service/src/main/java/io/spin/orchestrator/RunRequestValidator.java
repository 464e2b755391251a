package io.spin.orchestrator;

import java.util.List;
import java.util.Locale;

import io.spin.contract.CheckpointRef;
import io.spin.contract.ConvergenceCriteria;
import io.spin.contract.Limits;
import io.spin.contract.LoraSettings;
import io.spin.contract.LossType;
import io.spin.contract.RunConfig;
import io.spin.contract.SamplingParams;
import io.spin.data.DataLimits;
import io.spin.data.model.LoraConfig;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.ByteTokenizer;
import io.spin.data.text.PromptFormat;

/** Checks a run request field by field and fills in defaults, giving the RunConfig every service reads. */
final class RunRequestValidator {
    private RunRequestValidator() {
    }

    /** Everything but the datasets, which are loaded (and counted) by the caller. */
    static RunConfig.Builder validate(RunRequest r) {
        if (r == null) {
            throw new InvalidRunRequest("body", "a JSON run request is required");
        }
        require(r.trainDataset() != null && !r.trainDataset().isBlank(), "trainDataset", "is required");
        String preset = r.modelPreset() == null ? "tiny" : r.modelPreset();
        require(ModelConfig.PRESETS.containsKey(preset), "modelPreset", "unknown preset '" + preset + "'; known: " + ModelConfig.PRESETS.keySet());
        int iterations = orDefault(r.iterations(), 2);
        require(iterations >= 1 && iterations <= Limits.ITERATIONS, "iterations", "must be in 1.." + Limits.ITERATIONS + " (ITERATIONS), not " + iterations);
        List<Double> betas = r.beta() == null || r.beta().isEmpty() ? List.of(0.1) : r.beta();
        betas.forEach(b -> require(b != null && b > 0 && Double.isFinite(b), "beta", "every beta must be a positive number, not " + b));
        List<Double> rates = r.learningRate() == null || r.learningRate().isEmpty() ? List.of(5e-4) : r.learningRate();
        rates.forEach(x -> require(x != null && x > 0 && Double.isFinite(x), "learningRate", "every learning rate must be a positive number, not " + x));
        require(betas.size() <= iterations, "beta", "has " + betas.size() + " values for " + iterations + " iterations");
        require(rates.size() <= iterations, "learningRate", "has " + rates.size() + " values for " + iterations + " iterations");
        LossType loss;
        try {
            loss = LossType.valueOf((r.lossType() == null ? "sigmoid" : r.lossType()).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRunRequest("lossType", "unknown loss type '" + r.lossType() + "'; known: sigmoid, hinge");
        }
        double nll = orDefault(r.nllCoefficient(), 0.0);
        require(nll >= 0 && Double.isFinite(nll), "nllCoefficient", "must be >= 0, not " + nll);
        int window = r.window() == null ? Math.min(2, iterations) : r.window();
        require(window >= 1, "window", "must be >= 1, not " + window);
        require(window <= iterations, "window", "of " + window + " is larger than the " + iterations + " iterations");
        int epochs = orDefault(r.epochs(), 1);
        require(epochs >= 1 && epochs <= Limits.EPOCHS, "epochs", "must be in 1.." + Limits.EPOCHS + " (EPOCHS), not " + epochs);
        int batch = orDefault(r.batchSize(), 8);
        require(batch >= 1 && batch <= 4096, "batchSize", "must be in 1..4096, not " + batch);
        int microBatch = orDefault(r.microBatch(), 0);
        require(microBatch >= 0 && microBatch <= batch, "microBatch", "must be in 0..batchSize (" + batch + "; 0: the whole batch at once), not "
                + microBatch);
        double warmup = orDefault(r.warmupRatio(), 0.1);
        require(warmup >= 0 && warmup < 1, "warmupRatio", "must be in [0, 1), not " + warmup);
        int sftEpochs = orDefault(r.sftEpochs(), 3);
        require(sftEpochs >= 1 && sftEpochs <= Limits.EPOCHS, "sftEpochs", "must be in 1.." + Limits.EPOCHS + " (EPOCHS), not " + sftEpochs);
        double sftRate = orDefault(r.sftLearningRate(), 1e-3);
        require(sftRate > 0 && Double.isFinite(sftRate), "sftLearningRate", "must be > 0, not " + sftRate);
        ModelConfig model = ModelConfig.preset(preset);
        int overhead = PromptFormat.defaults(new ByteTokenizer()).overhead();
        int maxPrompt = orDefault(r.maxPromptTokens(), 96);
        require(maxPrompt > overhead, "maxPromptTokens", "must exceed the prompt template's " + overhead + " tokens, not " + maxPrompt);
        require(maxPrompt <= Limits.TOKENS, "maxPromptTokens", "must be at most " + Limits.TOKENS + " (TOKENS), not " + maxPrompt);
        int maxResponse = orDefault(r.maxResponseTokens(), 96);
        require(maxResponse >= 1 && maxResponse <= Limits.TOKENS, "maxResponseTokens", "must be in 1.." + Limits.TOKENS + " (TOKENS), not " + maxResponse);
        require((long) maxPrompt + maxResponse <= model.contextLength(), "maxResponseTokens", "maxPromptTokens + maxResponseTokens = "
                + (maxPrompt + maxResponse) + " exceeds the " + model.contextLength() + "-token context of preset " + preset);
        SamplingParams sampling = sampling(r.sampling(), maxResponse);
        int samples = orDefault(r.samplesPerPrompt(), 1);
        require(samples >= 1 && samples <= Limits.SAMPLES_PER_PROMPT, "samplesPerPrompt", "must be in 1.." + Limits.SAMPLES_PER_PROMPT
                + " (SAMPLES_PER_PROMPT), not " + samples);
        ConvergenceCriteria convergence = convergence(r.convergence());
        int stall = orDefault(r.generationStallSeconds(), 1800);
        require(stall >= 1, "generationStallSeconds", "must be >= 1, not " + stall);
        require(r.requestedBy() == null || r.requestedBy().length() <= DataLimits.ID_BYTES, "requestedBy",
                "must be at most " + DataLimits.ID_BYTES + " characters (ID_BYTES)");
        RunConfig.Builder config = RunConfig.newBuilder().setModelPreset(preset).setIterations(iterations).setBetas(betas)
                .setLearningRates(rates).setLossType(loss).setNllCoefficient(nll).setWindow(window).setEpochs(epochs).setBatchSize(batch).setMicroBatch(microBatch)
                .setCheckpointLayers(Boolean.TRUE.equals(r.checkpointLayers()))
                .setWarmupRatio(warmup).setSftEpochs(sftEpochs).setSftLearningRate(sftRate).setMaxPromptTokens(maxPrompt)
                .setMaxResponseTokens(maxResponse).setSampling(sampling).setSamplesPerPrompt(samples)
                .setSeed(r.seed() == null ? 0 : r.seed()).setConvergence(convergence)
                .setGenerationStallSeconds(stall);
        require(r.sftCheckpoint() == null || r.baseModel() == null, "baseModel",
                "is where SFT starts, sftCheckpoint skips SFT: give one of them, not both");
        if (r.sftCheckpoint() != null) {
            config.setSftCheckpoint(checkpoint(r.sftCheckpoint(), "sftCheckpoint", "sft"));
        }
        if (r.baseModel() != null) {
            config.setBaseModel(checkpoint(r.baseModel(), "baseModel", "base"));
        }
        if (r.lora() != null) {
            config.setLora(lora(r.lora()));
            // a starting model brought along is checked when it is read; a preset is known here
            require(r.sftCheckpoint() != null || r.baseModel() != null || model.family() == io.spin.data.hf.HfConfig.Family.LLAMA, "lora",
                    "needs a Llama-family model; preset '" + preset + "' is " + model.architecture() + " (use llama-tiny, or a Llama-family baseModel)");
        }
        return config;
    }

    private static LoraSettings lora(RunRequest.Lora l) {
        require(l.rank() != null, "lora.rank", "is required");
        require(l.alpha() != null, "lora.alpha", "is required");
        LoraConfig checked;
        try {
            checked = new LoraConfig(l.rank(), l.alpha(), l.targets());
        } catch (IllegalArgumentException e) {
            throw new InvalidRunRequest("lora", e.getMessage());
        }
        return LoraSettings.newBuilder().setRank(checked.rank()).setAlpha(checked.alpha()).setTargets(checked.targets()).build();
    }

    private static CheckpointRef checkpoint(RunRequest.Checkpoint c, String field, String id) {
        require(c.uri() != null && c.uri().startsWith("s3://"), field + ".uri", "must be an s3:// folder");
        require(c.uri().length() <= 1024, field + ".uri", "must be at most 1024 characters (an S3 key's limit)");
        require(c.manifestSha256() != null && c.manifestSha256().matches("[0-9a-f]{64}"), field + ".manifestSha256",
                "must be 64 lower-case hex digits");
        return CheckpointRef.newBuilder().setId(id).setUri(c.uri()).setManifestSha256(c.manifestSha256()).build();
    }

    private static SamplingParams sampling(RunRequest.Sampling s, int maxResponse) {
        double temperature = s == null || s.temperature() == null ? 1.0 : s.temperature();
        double topP = s == null || s.topP() == null ? 1.0 : s.topP();
        int topK = s == null || s.topK() == null ? 0 : s.topK();
        int maxNew = s == null || s.maxNewTokens() == null ? maxResponse : s.maxNewTokens();
        require(temperature >= 0 && Double.isFinite(temperature), "sampling.temperature", "must be >= 0, not " + temperature);
        require(topP > 0 && topP <= 1, "sampling.topP", "must be in (0, 1], not " + topP);
        require(topK >= 0, "sampling.topK", "must be >= 0, not " + topK);
        require(maxNew >= 1 && maxNew <= maxResponse, "sampling.maxNewTokens", "must be in 1..maxResponseTokens (" + maxResponse + "), not " + maxNew);
        return SamplingParams.newBuilder().setTemperature(temperature).setTopP(topP).setTopK(topK).setMaxNewTokens(maxNew).build();
    }

    private static ConvergenceCriteria convergence(RunRequest.Convergence c) {
        Double exact = c == null ? null : c.exactMatchRate();
        Double similarity = c == null ? null : c.meanSimilarity();
        require(exact == null || (exact > 0 && exact <= 1), "convergence.exactMatchRate", "must be in (0, 1], not " + exact);
        require(similarity == null || (similarity > 0 && similarity <= 1), "convergence.meanSimilarity", "must be in (0, 1], not " + similarity);
        return ConvergenceCriteria.newBuilder().setExactMatchRate(exact).setMeanSimilarity(similarity).build();
    }

    /** The value for iteration t of a per-iteration list: its t-th entry, or the last one. */
    static double perIteration(List<Double> values, int t) {
        return values.get(Math.min(t, values.size() - 1));
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new InvalidRunRequest(field, field + " " + message);
        }
    }
}
