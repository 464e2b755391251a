package io.spin.core.hf;

import java.util.Map;

/**
 * GPT-2's forward pass written out in plain loops from Hugging Face's tensors (Conv1D weights (in, out)), following
 * transformers' modeling_gpt2: the independent reference an import is checked against.
 */
final class ReferenceGpt2 {
    private final Map<String, float[]> w;
    private final int width;
    private final int heads;
    private final int inner;
    private final int vocab;
    private final int layers;
    private final double eps;

    ReferenceGpt2(Map<String, float[]> weights, int width, int heads, int inner, int vocab, int layers, double eps) {
        this.w = weights;
        this.width = width;
        this.heads = heads;
        this.inner = inner;
        this.vocab = vocab;
        this.layers = layers;
        this.eps = eps;
    }

    /** Logits [position][vocab] of the token sequence. */
    double[][] logits(int[] ids) {
        int n = ids.length;
        double[][] x = new double[n][width];
        for (int t = 0; t < n; t++) {
            for (int d = 0; d < width; d++) {
                x[t][d] = w.get("wte.weight")[ids[t] * width + d] + w.get("wpe.weight")[t * width + d];
            }
        }
        for (int l = 0; l < layers; l++) {
            String p = "h." + l + ".";
            double[][] h = norm(x, p + "ln_1");
            double[][] qkv = conv1d(h, p + "attn.c_attn", width, 3 * width);
            double[][] attended = ReferenceOps.attention(qkv, 0, qkv, width, qkv, 2 * width, heads, heads, width / heads);
            add(x, conv1d(attended, p + "attn.c_proj", width, width));
            double[][] m = conv1d(norm(x, p + "ln_2"), p + "mlp.c_fc", width, inner);
            for (double[] row : m) {
                for (int i = 0; i < inner; i++) {
                    double v = row[i];
                    row[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                }
            }
            add(x, conv1d(m, p + "mlp.c_proj", inner, width));
        }
        double[][] h = norm(x, "ln_f");
        double[][] logits = new double[n][vocab];
        for (int t = 0; t < n; t++) {
            for (int v = 0; v < vocab; v++) {
                for (int d = 0; d < width; d++) {
                    logits[t][v] += h[t][d] * w.get("wte.weight")[v * width + d];
                }
            }
        }
        return logits;
    }

    private double[][] norm(double[][] x, String name) {
        double[][] out = new double[x.length][width];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double v : x[t]) {
                mean += v / width;
            }
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean) / width;
            }
            for (int d = 0; d < width; d++) {
                out[t][d] = (x[t][d] - mean) / Math.sqrt(var + eps) * w.get(name + ".weight")[d] + w.get(name + ".bias")[d];
            }
        }
        return out;
    }

    private double[][] conv1d(double[][] x, String name, int in, int out) {
        return ReferenceOps.affine(x, w.get(name + ".weight"), w.get(name + ".bias"), in, out, true);
    }

    private static void add(double[][] x, double[][] y) {
        ReferenceOps.add(x, y);
    }
}
