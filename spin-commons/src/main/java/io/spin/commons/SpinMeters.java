package io.spin.commons;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * Every metric SPIN's services export, named once (Micrometer names; Prometheus shows them with '_' and, for counters,
 * '_total', timers as '_seconds'). Meters live in Micrometer's global registry, which Quarkus' Prometheus registry joins,
 * so plain classes outside CDI record them too. A run's meters stay while it is one of the last
 * {@value #KEPT_ENDED_RUNS} runs to end ({@link #runEnded}), so its final values are scraped, and then go: a long-lived
 * service does not keep a series per run it ever saw.
 */
public enum SpinMeters {
    GENERATOR_SAMPLES("spin.generator.samples", "Samples generated", "run"),
    GENERATOR_TOKENS("spin.generator.tokens", "Tokens generated, EOS included", "run"),
    GENERATOR_BATCH("spin.generator.batch", "Wall time of one sampling batch (histogram)"),
    PAIRS("spin.pairs", "Preference pairs built", "run"),
    ITERATION_PROGRESS("spin.iteration.progress.ratio", "Share of the iteration's expected samples paired, 0..1", "run", "iteration"),
    TRAINER_STEPS("spin.trainer.steps", "Optimizer steps taken", "run"),
    TRAINER_LOSS("spin.trainer.loss", "Loss of the last optimizer step", "run"),
    TRAINER_STEP("spin.trainer.step", "Wall time of one optimizer step (forward, backward, update)", "run"),
    SAMPLER_LOGP_DIFF_MAX("spin.trainer.sampler.logp.diff.max", "Largest |sampler log-prob - trainer reference log-prob| of the "
            + "last iteration's rejected responses (same tokens, same pi_t): a precision and drift alarm", "run"),
    TRAINER_TOKENS("spin.trainer.tokens", "Tokens (prompt and response, padding excluded) trained on", "run"),
    CHECKPOINT_UPLOAD_BYTES("spin.checkpoint.upload.bytes", "Checkpoint bytes uploaded to object storage", "run"),
    DEAD_LETTERS("spin.dead.letters", "Records sent to the dead-letter topic", "topic"),
    RUNS("spin.runs", "Runs this orchestrator knows, by status", "status");

    public static final int KEPT_ENDED_RUNS = 16;
    private static final Map<String, AtomicReference<Double>> GAUGES = new ConcurrentHashMap<>();
    private static final java.util.LinkedHashSet<String> ENDED = new java.util.LinkedHashSet<>();
    private final String meterName;
    private final String description;
    private final String[] tagKeys;

    SpinMeters(String meterName, String description, String... tagKeys) {
        this.meterName = meterName;
        this.description = description;
        this.tagKeys = tagKeys;
    }

    public String meterName() {
        return meterName;
    }

    /** The name as Prometheus shows it: '.' becomes '_', counters end in _total and timers in _seconds. */
    public String prometheusName() {
        String base = meterName.replace('.', '_');
        return switch (this) {
            case GENERATOR_BATCH, TRAINER_STEP -> base + "_seconds";
            case ITERATION_PROGRESS, TRAINER_LOSS, SAMPLER_LOGP_DIFF_MAX, RUNS -> base;
            default -> base + "_total";
        };
    }

    public String description() {
        return description;
    }

    private static MeterRegistry registry() {
        return Metrics.globalRegistry;
    }

    private Tags tags(String... values) {
        if (values.length != tagKeys.length) {
            throw new IllegalArgumentException(meterName + " takes tags " + String.join(", ", tagKeys));
        }
        Tags tags = Tags.empty();
        for (int i = 0; i < values.length; i++) {
            tags = tags.and(tagKeys[i], values[i]);
        }
        return tags;
    }

    public void increment(double amount, String... tagValues) {
        Counter.builder(meterName).description(description).tags(tags(tagValues)).register(registry()).increment(amount);
    }

    public void record(Duration duration, String... tagValues) {
        Timer.builder(meterName).description(description).tags(tags(tagValues)).publishPercentileHistogram()
                .register(registry()).record(duration);
    }

    public void set(double value, String... tagValues) {
        Tags tags = tags(tagValues);
        AtomicReference<Double> holder = GAUGES.computeIfAbsent(meterName + tags, k -> {
            AtomicReference<Double> h = new AtomicReference<>(0.0);
            Gauge.builder(meterName, h, AtomicReference::get).description(description).tags(tags).strongReference(true).register(registry());
            return h;
        });
        holder.set(value);
    }

    /** The run ended: the meters of the run that ended {@value #KEPT_ENDED_RUNS} endings ago are removed. */
    public static synchronized void runEnded(String runId) {
        if (ENDED.add(runId) && ENDED.size() > KEPT_ENDED_RUNS) {
            String oldest = ENDED.iterator().next();
            ENDED.remove(oldest);
            forgetRun(oldest);
        }
    }

    /** Removes every meter tagged with this run. */
    static void forgetRun(String runId) {
        for (Meter meter : registry().getMeters()) {
            if (runId.equals(meter.getId().getTag("run"))) {
                registry().remove(meter);
                GAUGES.remove(meter.getId().getName() + Tags.of(meter.getId().getTags()));
            }
        }
    }
}
