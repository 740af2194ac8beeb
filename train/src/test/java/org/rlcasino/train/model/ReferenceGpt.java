package org.rlcasino.train.model;

import org.rlcasino.kernels.ParameterLayout;

/**
 * A plain double-precision GPT-2 forward pass written straight from the definition (no kernels,
 * no shared code with the model), used as the oracle of the model's forward pass and, through
 * central finite differences, of its backward pass.
 */
final class ReferenceGpt {
    private final GptConfig config;
    private final ParameterLayout layout;

    ReferenceGpt(GptConfig config) {
        this.config = config;
        this.layout = config.layout();
    }

    private double[] tensor(double[] p, String name) {
        var t = layout.tensor(name);
        double[] out = new double[t.size()];
        System.arraycopy(p, t.offset(), out, 0, out.length);
        return out;
    }

    /** Per-position log p(target) (0 for negative targets). */
    double[] logProbs(double[] p, int[] tokens, int[] targets, int batch, int seqLen) {
        int c = config.channels();
        int v = config.vocabSize();
        int nh = config.numHeads();
        int hs = c / nh;
        int n = batch * seqLen;
        double[] wte = tensor(p, "wte.weight");
        double[] wpe = tensor(p, "wpe.weight");
        double[][] x = new double[n][c];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                x[i][k] = wte[tokens[i] * c + k] + wpe[(i % seqLen) * c + k];
            }
        }
        for (int l = 0; l < config.numLayers(); l++) {
            String h = "h." + l + ".";
            double[][] a = layerNorm(x, tensor(p, h + "ln_1.weight"), tensor(p, h + "ln_1.bias"));
            double[][] qkv = linear(a, tensor(p, h + "attn.c_attn.weight"), tensor(p, h + "attn.c_attn.bias"), 3 * c);
            double[][] y = new double[n][c];
            for (int b = 0; b < batch; b++) {
                for (int head = 0; head < nh; head++) {
                    for (int t = 0; t < seqLen; t++) {
                        double[] q = qkv[b * seqLen + t];
                        double[] score = new double[t + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int s = 0; s <= t; s++) {
                            double[] k = qkv[b * seqLen + s];
                            double dot = 0;
                            for (int i = 0; i < hs; i++) {
                                dot += q[head * hs + i] * k[c + head * hs + i];
                            }
                            score[s] = dot / Math.sqrt(hs);
                            max = Math.max(max, score[s]);
                        }
                        double sum = 0;
                        for (int s = 0; s <= t; s++) {
                            score[s] = Math.exp(score[s] - max);
                            sum += score[s];
                        }
                        for (int s = 0; s <= t; s++) {
                            double[] vv = qkv[b * seqLen + s];
                            for (int i = 0; i < hs; i++) {
                                y[b * seqLen + t][head * hs + i] += score[s] / sum * vv[2 * c + head * hs + i];
                            }
                        }
                    }
                }
            }
            double[][] proj = linear(y, tensor(p, h + "attn.c_proj.weight"), tensor(p, h + "attn.c_proj.bias"), c);
            add(x, proj);
            double[][] m = layerNorm(x, tensor(p, h + "ln_2.weight"), tensor(p, h + "ln_2.bias"));
            double[][] fc = linear(m, tensor(p, h + "mlp.c_fc.weight"), tensor(p, h + "mlp.c_fc.bias"), 4 * c);
            for (double[] row : fc) {
                for (int k = 0; k < row.length; k++) {
                    double z = row[k];
                    row[k] = 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
                }
            }
            add(x, linear(fc, tensor(p, h + "mlp.c_proj.weight"), tensor(p, h + "mlp.c_proj.bias"), c));
        }
        double[][] f = layerNorm(x, tensor(p, "ln_f.weight"), tensor(p, "ln_f.bias"));
        double[] logp = new double[n];
        for (int i = 0; i < n; i++) {
            double[] logits = new double[v];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                for (int k = 0; k < c; k++) {
                    logits[j] += f[i][k] * wte[j * c + k];
                }
                max = Math.max(max, logits[j]);
            }
            double sum = 0;
            for (int j = 0; j < v; j++) {
                sum += Math.exp(logits[j] - max);
            }
            logp[i] = targets[i] < 0 ? 0 : logits[targets[i]] - max - Math.log(sum);
        }
        return logp;
    }

    private static void add(double[][] x, double[][] y) {
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < x[i].length; k++) {
                x[i][k] += y[i][k];
            }
        }
    }

    /** x (n, in) · w (in, out) + b: a Conv1D. */
    private static double[][] linear(double[][] x, double[] w, double[] b, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < out; j++) {
                double acc = b[j];
                for (int k = 0; k < in; k++) {
                    acc += x[i][k] * w[k * out + j];
                }
                y[i][j] = acc;
            }
        }
        return y;
    }

    private static double[][] layerNorm(double[][] x, double[] w, double[] b) {
        int c = x[0].length;
        double[][] y = new double[x.length][c];
        for (int i = 0; i < x.length; i++) {
            double mean = 0;
            for (double z : x[i]) {
                mean += z;
            }
            mean /= c;
            double var = 0;
            for (double z : x[i]) {
                var += (z - mean) * (z - mean);
            }
            var /= c;
            double rstd = 1 / Math.sqrt(var + 1e-5);
            for (int k = 0; k < c; k++) {
                y[i][k] = (x[i][k] - mean) * rstd * w[k] + b[k];
            }
        }
        return y;
    }
}
