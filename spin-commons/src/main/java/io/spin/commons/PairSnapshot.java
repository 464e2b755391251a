package io.spin.commons;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.spin.contract.PreferencePair;
import io.spin.data.text.ChatRenderer;

/**
 * The pair dataset snapshot of an iteration, {@code pairs.jsonl}: one JSON object per pair, in ascending
 * (promptId, sampleIndex) order, fields in a fixed order. The pair builder writes it and replay rebuilds it from
 * the pairs topic with this same code, so the two are byte-identical when the data is.
 */
public final class PairSnapshot {
    public static final Comparator<PreferencePair> ORDER = Comparator.comparing(PreferencePair::getPromptId)
            .thenComparingInt(PreferencePair::getSampleIndex);
    private static final ObjectMapper JSON = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private PairSnapshot() {
    }

    /** Which columns to write: ours (every field), or TRL's prompt/chosen/rejected. */
    public enum Format { FULL, TRL }

    public static byte[] jsonl(Collection<PreferencePair> pairs) {
        return jsonl(pairs, Format.FULL);
    }

    public static byte[] jsonl(Collection<PreferencePair> pairs, Format format) {
        List<PreferencePair> sorted = new ArrayList<>(pairs);
        sorted.sort(ORDER);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Writer writer = new Writer(out, format);
        sorted.forEach(writer::write);
        return out.toByteArray();
    }

    /**
     * Writes a snapshot row by row to a stream, for snapshots too large to hold: the caller hands the pairs in
     * {@link #ORDER}. Counts what it wrote and digests it (SHA-256) on the way.
     */
    public static final class Writer {
        private final java.security.DigestOutputStream out;
        private final Format format;
        private long bytes;
        private int pairs;
        private int exact;
        private double similarity;

        public Writer(java.io.OutputStream target, Format format) {
            try {
                this.out = new java.security.DigestOutputStream(target, java.security.MessageDigest.getInstance("SHA-256"));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            this.format = format;
        }

        public void write(PreferencePair pair) {
            try {
                byte[] line = JSON.writeValueAsBytes(row(pair, format));
                out.write(line);
                out.write('\n');
                bytes += line.length + 1;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            pairs++;
            exact += pair.getExactMatch() ? 1 : 0;
            similarity += pair.getSimilarity();
        }

        public long bytes() {
            return bytes;
        }

        public String sha256() {
            return java.util.HexFormat.of().formatHex(out.getMessageDigest().digest());
        }

        public Stats stats() {
            return pairs == 0 ? new Stats(0, 0, 0) : new Stats(pairs, (double) exact / pairs, similarity / pairs);
        }
    }

    private static Map<String, Object> row(PreferencePair p, Format format) {
        Map<String, Object> row = new LinkedHashMap<>();
        if (format == Format.FULL) {
            row.put("runId", p.getRunId());
            row.put("iteration", p.getIteration());
            row.put("datasetId", p.getDatasetId());
            row.put("promptId", p.getPromptId());
            row.put("sampleIndex", p.getSampleIndex());
        }
        if (format == Format.TRL && p.getContext() != null) {
            // TRL's conversational form: the conversation up to the prompt, and each response as the assistant's turn
            List<Map<String, String>> prompt = new ArrayList<>();
            p.getContext().forEach(t -> prompt.add(ChatTurns.json(t.getRole(), t.getContent())));
            prompt.add(ChatTurns.json("user", p.getPrompt()));
            row.put("prompt", prompt);
            row.put("chosen", List.of(ChatTurns.json("assistant", p.getChosen())));
            row.put("rejected", List.of(ChatTurns.json("assistant", p.getRejected())));
            return row;
        }
        if (format == Format.FULL && p.getContext() != null) {
            List<Map<String, String>> context = new ArrayList<>();
            p.getContext().forEach(t -> context.add(ChatTurns.json(t.getRole(), t.getContent())));
            row.put("context", context);
        }
        row.put("prompt", p.getPrompt());
        row.put("chosen", p.getChosen());
        row.put("rejected", p.getRejected());
        if (format == Format.FULL) {
            row.put("rejectedLogProb", p.getRejectedLogProb());
            row.put("exactMatch", p.getExactMatch());
            row.put("similarity", p.getSimilarity());
            // only when known, so a pair written before these fields existed makes the same row as it always did
            if (p.getRejectedTokenIds() != null) {
                row.put("rejectedTokenIds", p.getRejectedTokenIds());
            }
            if (p.getRejectedFinishReason() != null) {
                row.put("rejectedFinishReason", p.getRejectedFinishReason().name());
            }
        }
        return row;
    }

    /**
     * What a reader of a FULL snapshot gets back: the columns training needs. {@code rejectedTokenIds} (EOS excluded)
     * and {@code rejectedFinishReason} (EOS or LENGTH) are null in snapshots of pairs that did not carry them.
     */
    public record Row(int iteration, String promptId, int sampleIndex, List<ChatRenderer.Message> context, String prompt, String chosen,
                      String rejected, int[] rejectedTokenIds, String rejectedFinishReason, double rejectedLogProb) {
        /** A row without the sampler's log-prob (NaN). */
        public Row(int iteration, String promptId, int sampleIndex, List<ChatRenderer.Message> context, String prompt, String chosen,
                   String rejected, int[] rejectedTokenIds, String rejectedFinishReason) {
            this(iteration, promptId, sampleIndex, context, prompt, chosen, rejected, rejectedTokenIds, rejectedFinishReason, Double.NaN);
        }
    }

    /**
     * The rows of a FULL snapshot, in file order; the bytes must already be checked against their SHA-256.
     * A line that is not such a row is refused naming the snapshot and the line.
     */
    public static List<Row> read(String name, byte[] jsonl) {
        try {
            return read(name, new java.io.ByteArrayInputStream(jsonl));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array does not fail to read
        }
    }

    /** As {@link #read(String, byte[])}, line by line from a stream: a snapshot of any size, never one byte array. */
    public static List<Row> read(String name, java.io.InputStream in) throws IOException {
        List<Row> rows = new ArrayList<>();
        java.io.InputStream bytes = new java.io.BufferedInputStream(in, 1 << 16);
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        int line = 0;
        for (int b = bytes.read(); ; b = bytes.read()) {
            if (b == '\n' || b < 0) { // rows end at '\n' only: a '\r' may stand inside a row's text
                if (b >= 0 || text.size() > 0) {
                    line++;
                    if (text.size() > 0) {
                        rows.add(row(name, line, text.toString(java.nio.charset.StandardCharsets.UTF_8)));
                    }
                }
                if (b < 0) {
                    return rows;
                }
                text.reset();
            } else {
                text.write(b);
            }
        }
    }

    private static Row row(String name, int line, String text) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(text);
            com.fasterxml.jackson.databind.JsonNode ids = n.get("rejectedTokenIds");
            int[] tokenIds = null;
            if (ids != null && !ids.isNull()) {
                tokenIds = new int[ids.size()];
                for (int i = 0; i < tokenIds.length; i++) {
                    if (!ids.get(i).canConvertToInt()) {
                        throw new IllegalArgumentException("rejectedTokenIds[" + i + "] is not a token id: " + ids.get(i));
                    }
                    tokenIds[i] = ids.get(i).intValue();
                }
            }
            com.fasterxml.jackson.databind.JsonNode finish = n.get("rejectedFinishReason");
            List<ChatRenderer.Message> context = new ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode t : n.path("context")) {
                context.add(new ChatRenderer.Message(t.get("role").textValue(), t.get("content").textValue()));
            }
            return new Row(n.get("iteration").asInt(), n.get("promptId").textValue(), n.get("sampleIndex").asInt(), context,
                    n.get("prompt").textValue(), n.get("chosen").textValue(), n.get("rejected").textValue(), tokenIds,
                    finish == null || finish.isNull() ? null : finish.textValue(),
                    n.path("rejectedLogProb").isNumber() ? n.get("rejectedLogProb").asDouble() : Double.NaN);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(name + " line " + line + ": not a pair row (" + e.getMessage() + ")", e);
        }
    }

    /** Similarity statistics of a set of pairs. */
    public record Stats(int pairs, double exactMatchRate, double meanSimilarity) {
        public static Stats of(Collection<PreferencePair> pairs) {
            if (pairs.isEmpty()) {
                return new Stats(0, 0, 0);
            }
            double exact = 0;
            double similarity = 0;
            for (PreferencePair p : pairs) {
                exact += p.getExactMatch() ? 1 : 0;
                similarity += p.getSimilarity();
            }
            return new Stats(pairs.size(), exact / pairs.size(), similarity / pairs.size());
        }
    }
}
