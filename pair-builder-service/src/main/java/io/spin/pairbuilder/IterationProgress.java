package io.spin.pairbuilder;

/**
 * Per (run, iteration): pairs expected (-1 until IterationStarted is seen), pairs built, generated tokens, the
 * iteration's start time, and whether PairsCompleted was emitted. Stored as a short string so no extra schema exists.
 */
record IterationProgress(int expected, int built, long tokens, long startedAtMillis, boolean completed) {
    static final IterationProgress NEW = new IterationProgress(-1, 0, 0, 0, false);

    String encode() {
        return expected + "," + built + "," + tokens + "," + startedAtMillis + "," + completed;
    }

    static IterationProgress decode(String s) {
        if (s == null) {
            return NEW;
        }
        String[] p = s.split(",");
        return new IterationProgress(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]),
                Boolean.parseBoolean(p[4]));
    }

    boolean complete() {
        return expected >= 0 && built >= expected;
    }
}
