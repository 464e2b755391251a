package io.spin.pairbuilder;

/**
 * Per (run, iteration): pairs expected (-1 until IterationStarted is seen), pairs built, generated tokens, the
 * iteration's start time, whether PairsCompleted was emitted, when progress was last reported, and the timestamp of
 * the newest pair's sample. Stored as a short string so no extra schema exists (fields a store written by an older
 * version lacks read as 0).
 */
record IterationProgress(int expected, int built, long tokens, long startedAtMillis, boolean completed, long reportedAtMillis,
                         long lastPairMillis) {
    static final IterationProgress NEW = new IterationProgress(-1, 0, 0, 0, false, 0, 0);

    String encode() {
        return expected + "," + built + "," + tokens + "," + startedAtMillis + "," + completed + "," + reportedAtMillis + "," + lastPairMillis;
    }

    static IterationProgress decode(String s) {
        if (s == null) {
            return NEW;
        }
        String[] p = s.split(",");
        return new IterationProgress(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]),
                Boolean.parseBoolean(p[4]), p.length > 5 ? Long.parseLong(p[5]) : 0, p.length > 6 ? Long.parseLong(p[6]) : 0);
    }

    IterationProgress withCompleted() {
        return new IterationProgress(expected, built, tokens, startedAtMillis, true, reportedAtMillis, lastPairMillis);
    }

    boolean complete() {
        return expected >= 0 && built >= expected;
    }
}
