package io.spin.core.hf;

import java.util.Map;

import io.spin.data.hf.HfConfig;

/**
 * The Llama family's forward pass written out in plain double-precision loops from Hugging Face's tensors, following
 * transformers' modeling_llama / modeling_qwen2 (RMSNorm, rotary embedding in the rotate-half layout, grouped-query
 * attention as repeat_kv, SwiGLU MLP): the independent reference an import is checked against.
 */
final class ReferenceLlama {
    private final Map<String, float[]> w;
    private final HfConfig c;

    ReferenceLlama(Map<String, float[]> weights, HfConfig config) {
        this.w = weights;
        this.c = config;
    }

    /** Logits [position][vocab] of the token sequence (positions 0..n-1). */
    double[][] logits(int[] ids) {
        int n = ids.length;
        int h = c.hidden();
        int hd = c.headDim();
        int kvWidth = c.kvHeads() * hd;
        double[][] x = new double[n][h];
        for (int t = 0; t < n; t++) {
            for (int d = 0; d < h; d++) {
                x[t][d] = w.get("model.embed_tokens.weight")[ids[t] * h + d];
            }
        }
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] a = rmsNorm(x, p + "input_layernorm.weight");
            double[][] q = rope(linear(a, p + "self_attn.q_proj", h, h), c.heads());
            double[][] k = rope(linear(a, p + "self_attn.k_proj", h, kvWidth), c.kvHeads());
            double[][] v = linear(a, p + "self_attn.v_proj", h, kvWidth);
            double[][] attended = ReferenceOps.attention(q, 0, k, 0, v, 0, c.heads(), c.kvHeads(), hd);
            add(x, linear(attended, p + "self_attn.o_proj", h, h));
            double[][] m = rmsNorm(x, p + "post_attention_layernorm.weight");
            double[][] gate = linear(m, p + "mlp.gate_proj", h, c.intermediate());
            double[][] up = linear(m, p + "mlp.up_proj", h, c.intermediate());
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < c.intermediate(); i++) {
                    double g = gate[t][i];
                    gate[t][i] = g / (1 + Math.exp(-g)) * up[t][i];
                }
            }
            add(x, linear(gate, p + "mlp.down_proj", c.intermediate(), h));
        }
        double[][] normed = rmsNorm(x, "model.norm.weight");
        float[] head = w.get(c.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
        double[][] logits = new double[n][c.vocabSize()];
        for (int t = 0; t < n; t++) {
            for (int v = 0; v < c.vocabSize(); v++) {
                double s = 0;
                for (int d = 0; d < h; d++) {
                    s += normed[t][d] * head[v * h + d];
                }
                logits[t][v] = s;
            }
        }
        return logits;
    }

    /** Greedy continuation of a prompt by recomputing the whole sequence each step (no cache). */
    int[] greedy(int[] prompt, int newTokens) {
        int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + newTokens);
        for (int s = 0; s < newTokens; s++) {
            double[][] logits = logits(java.util.Arrays.copyOf(seq, prompt.length + s));
            double[] last = logits[prompt.length + s - 1];
            int best = 0;
            for (int v = 1; v < last.length; v++) {
                best = last[v] > last[best] ? v : best;
            }
            seq[prompt.length + s] = best;
        }
        return java.util.Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    private double[][] rmsNorm(double[][] x, String weight) {
        float[] g = w.get(weight);
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double ms = 0;
            for (double v : x[t]) {
                ms += v * v;
            }
            double scale = 1 / Math.sqrt(ms / x[t].length + c.normEps());
            out[t] = new double[x[t].length];
            for (int d = 0; d < x[t].length; d++) {
                out[t][d] = g[d] * x[t][d] * scale;
            }
        }
        return out;
    }

    /** Rotates each head's pairs (i, i + hd/2) of row t by t * theta^(-2i/hd). */
    private double[][] rope(double[][] x, int heads) {
        int hd = c.headDim();
        int half = hd / 2;
        for (int t = 0; t < x.length; t++) {
            for (int head = 0; head < heads; head++) {
                int base = head * hd;
                for (int i = 0; i < half; i++) {
                    double angle = t * Math.pow(c.ropeTheta(), -2.0 * i / hd);
                    double a = x[t][base + i];
                    double b = x[t][base + half + i];
                    x[t][base + i] = a * Math.cos(angle) - b * Math.sin(angle);
                    x[t][base + half + i] = b * Math.cos(angle) + a * Math.sin(angle);
                }
            }
        }
        return x;
    }

    /** x W^T + b with W stored (out, in) and the bias when the model has one. */
    private double[][] linear(double[][] x, String name, int in, int out) {
        return ReferenceOps.affine(x, w.get(name + ".weight"), w.get(name + ".bias"), in, out, false);
    }

    private static void add(double[][] x, double[][] y) {
        ReferenceOps.add(x, y);
    }
}
