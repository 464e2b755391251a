package io.spin.pairbuilder;

/**
 * Keys of the iteration-pairs store: {@code <runId>/<iteration>/} then the prompt id and sample index encoded so that
 * the store's byte order is the snapshot's order ({@link io.spin.commons.PairSnapshot#ORDER}: prompt id as Java
 * compares strings, then sample index as a number). Plain text would not be: "b/10" sorts before "b/2", and "p-1/"
 * before "p/". So each UTF-16 unit of the prompt id is 4 hex digits, ended by '/' (below every digit: a shorter id
 * sorts first), and the sample index is 8 hex digits. The snapshot is then written by walking the store in order.
 */
final class PairStoreKeys {
    private PairStoreKeys() {
    }

    static String iteration(String runId, int iteration) {
        return runId + "/" + iteration + "/";
    }

    static String run(String runId) {
        return runId + "/";
    }

    static String pair(String runId, int iteration, String promptId, int sampleIndex) {
        if (sampleIndex < 0) {
            throw new IllegalArgumentException("negative sample index " + sampleIndex + " of prompt " + promptId);
        }
        StringBuilder key = new StringBuilder(iteration(runId, iteration));
        for (int i = 0; i < promptId.length(); i++) {
            key.append(String.format("%04x", (int) promptId.charAt(i)));
        }
        return key.append('/').append(String.format("%08x", sampleIndex)).toString();
    }
}
