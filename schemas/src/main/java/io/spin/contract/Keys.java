package io.spin.contract;

/**
 * Record keys: plain UTF-8 strings so any client can read them. The key is also the idempotency key:
 * a redelivered record has the same key and overwrites, never adds.
 */
public final class Keys {
    /** Separates a key's parts: a run's records all have keys starting with its id and this. */
    public static final char SEP = '/';

    private Keys() {
    }

    /** Key of a generation request, sample or pair: runId/iteration/promptId/sampleIndex. */
    public static String sample(String runId, int iteration, String promptId, int sampleIndex) {
        requireNoSeparator("runId", runId);
        return runId + SEP + iteration + SEP + promptId + SEP + sampleIndex;
    }

    /** Key of a human response: datasetId/promptId. */
    public static String humanResponse(String datasetId, String promptId) {
        requireNoSeparator("datasetId", datasetId);
        return datasetId + SEP + promptId;
    }

    /** Parses a sample key; the prompt id may itself contain '/', the other parts may not. */
    public static SampleKey parseSample(String key) {
        int first = key.indexOf(SEP);
        int second = first < 0 ? -1 : key.indexOf(SEP, first + 1);
        int last = key.lastIndexOf(SEP);
        if (first <= 0 || second < 0 || last <= second) {
            throw new IllegalArgumentException("not a sample key (runId/iteration/promptId/sampleIndex): '" + key + "'");
        }
        try {
            return new SampleKey(key.substring(0, first), Integer.parseInt(key.substring(first + 1, second)),
                    key.substring(second + 1, last), Integer.parseInt(key.substring(last + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a sample key (iteration and sampleIndex must be integers): '" + key + "'");
        }
    }

    public record SampleKey(String runId, int iteration, String promptId, int sampleIndex) {
    }

    private static void requireNoSeparator(String field, String value) {
        if (value == null || value.isEmpty() || value.indexOf(SEP) >= 0) {
            throw new IllegalArgumentException(field + " must be non-empty and contain no '/': '" + value + "'");
        }
    }
}
