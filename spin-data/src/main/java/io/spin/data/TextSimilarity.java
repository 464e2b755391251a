package io.spin.data;

/** How close a generated response is to the human one: the game's equilibrium is generated = human. */
public final class TextSimilarity {
    private TextSimilarity() {
    }

    /** 1 - Levenshtein(a, b) / max(|a|, |b|) over Unicode code points; 1 for two empty strings. */
    public static double normalisedEditSimilarity(String a, String b) {
        int[] x = a.codePoints().toArray();
        int[] y = b.codePoints().toArray();
        int longest = Math.max(x.length, y.length);
        if (longest == 0) {
            return 1.0;
        }
        return 1.0 - (double) levenshtein(x, y) / longest;
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
