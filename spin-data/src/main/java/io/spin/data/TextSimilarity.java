package io.spin.data;

/** How close a generated response is to the human one: the game's equilibrium is generated = human. */
public final class TextSimilarity {
    private TextSimilarity() {
    }

    /** Texts up to this many code points are compared exactly: at most 16.8M cells, tens of milliseconds. */
    public static final int EXACT_CODE_POINTS = 4096;

    /**
     * 1 - Levenshtein(a, b) / max(|a|, |b|) over Unicode code points; 1 for two empty strings. Bounded in cost: a text
     * longer than {@link #EXACT_CODE_POINTS} is compared by its first {@link #EXACT_CODE_POINTS} code points, and the
     * rest of the two texts counts as the difference of their lengths (an estimate, exact when the rests are equal or one
     * is a prefix-free extension of nothing), so a megabyte response never holds a stream thread for minutes.
     */
    public static double normalisedEditSimilarity(String a, String b) {
        int[] x = a.codePoints().toArray();
        int[] y = b.codePoints().toArray();
        int longest = Math.max(x.length, y.length);
        if (longest == 0) {
            return 1.0;
        }
        int[] xHead = head(x);
        int[] yHead = head(y);
        long distance = levenshtein(xHead, yHead) + (long) Math.abs((x.length - xHead.length) - (y.length - yHead.length));
        return Math.max(0.0, 1.0 - (double) distance / longest);
    }

    private static int[] head(int[] codePoints) {
        return codePoints.length <= EXACT_CODE_POINTS ? codePoints : java.util.Arrays.copyOf(codePoints, EXACT_CODE_POINTS);
    }

    static int levenshtein(int[] x, int[] y) {
        int[] previous = new int[y.length + 1];
        int[] current = new int[y.length + 1];
        for (int j = 0; j <= y.length; j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= x.length; i++) {
            current[0] = i;
            for (int j = 1; j <= y.length; j++) {
                int substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[y.length];
    }
}
