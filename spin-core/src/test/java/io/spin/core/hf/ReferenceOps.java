package io.spin.core.hf;

/** The plain double-precision loops both references share: causal attention, affine maps, residual adds. */
final class ReferenceOps {
    private ReferenceOps() {
    }

    /**
     * Causal softmax attention; head h reads its query at column qBase + h*hd, and its key and value from key/value head
     * h / (heads / kvHeads) at kBase and vBase. Returns [token][heads * hd].
     */
    static double[][] attention(double[][] q, int qBase, double[][] k, int kBase, double[][] v, int vBase, int heads, int kvHeads, int hd) {
        int n = q.length;
        double[][] attended = new double[n][heads * hd];
        int group = heads / kvHeads;
        for (int head = 0; head < heads; head++) {
            int kv = head / group;
            for (int i = 0; i < n; i++) {
                double[] scores = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    double s = 0;
                    for (int d = 0; d < hd; d++) {
                        s += q[i][qBase + head * hd + d] * k[j][kBase + kv * hd + d];
                    }
                    scores[j] = s / Math.sqrt(hd);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j <= i; j++) {
                    for (int d = 0; d < hd; d++) {
                        attended[i][head * hd + d] += scores[j] / sum * v[j][vBase + kv * hd + d];
                    }
                }
            }
        }
        return attended;
    }

    /** x W + b; W is (out, in) as Linear stores it, or (in, out) as GPT-2's Conv1D does; bias may be null. */
    static double[][] affine(double[][] x, float[] weight, float[] bias, int in, int out, boolean inOut) {
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) {
                    s += x[t][i] * weight[inOut ? i * out + o : o * in + i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    static void add(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) {
            for (int d = 0; d < x[t].length; d++) {
                x[t][d] += y[t][d];
            }
        }
    }
}
