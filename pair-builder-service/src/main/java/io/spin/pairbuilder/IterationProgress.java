package io.spin.pairbuilder;

/**
 * Per (run, iteration): pairs expected (-1 until IterationStarted is seen), pairs built, generated tokens, the
 * iteration's start time, whether the pair set is final (the snapshot writer's turn), when progress was last
 * reported, the timestamp of the newest pair's sample, and whether PairsCompleted is on the control log (the
 * iteration's pairs are then dropped from the store). Stored as a short string so no extra schema exists (fields a
 * store written by an older version lacks read as 0/false).
 */
record IterationProgress(int expected, int built, long tokens, long startedAtMillis, boolean completed, long reportedAtMillis,
                         long lastPairMillis, boolean published) {
    static final IterationProgress NEW = new IterationProgress(-1, 0, 0, 0, false, 0, 0, false);

    String encode() {
        return expected + "," + built + "," + tokens + "," + startedAtMillis + "," + completed + "," + reportedAtMillis + ","
                + lastPairMillis + "," + published;
    }

    static IterationProgress decode(String s) {
        if (s == null) {
            return NEW;
        }
        String[] p = s.split(",");
        return new IterationProgress(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]),
                Boolean.parseBoolean(p[4]), p.length > 5 ? Long.parseLong(p[5]) : 0, p.length > 6 ? Long.parseLong(p[6]) : 0,
                p.length > 7 ? Boolean.parseBoolean(p[7]) : Boolean.parseBoolean(p[4]));
    }

    IterationProgress withCompleted() {
        return new IterationProgress(expected, built, tokens, startedAtMillis, true, reportedAtMillis, lastPairMillis, published);
    }

    IterationProgress withPublished() {
        return new IterationProgress(expected, built, tokens, startedAtMillis, true, reportedAtMillis, lastPairMillis, true);
    }

    /** Final and not yet on the control log: the snapshot writer's work. */
    boolean awaitingSnapshot() {
        return completed && !published;
    }

    boolean complete() {
        return expected >= 0 && built >= expected;
    }
}
