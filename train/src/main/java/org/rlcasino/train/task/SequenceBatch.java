package org.rlcasino.train.task;

import java.util.List;

/**
 * Rows of prompt + completion tokens for the model, padded with the end token to {@code seqLen},
 * and their targets: the next token at each position that predicts a completion token, {@code -1}
 * elsewhere (prompt and padding do not count).
 *
 * @param tokens  (rows·seqLen) inputs
 * @param targets (rows·seqLen) next-token targets, −1 = ignored
 */
public record SequenceBatch(int[] tokens, int[] targets, int rows, int seqLen) {

    /** Rows {@code prompts[i] ++ completions[i]}; every completion token is a target. */
    public static SequenceBatch of(List<int[]> prompts, List<int[]> completions, int seqLen) {
        int rows = prompts.size();
        int[] tokens = new int[rows * seqLen];
        int[] targets = new int[rows * seqLen];
        java.util.Arrays.fill(tokens, CharTokenizer.END);
        java.util.Arrays.fill(targets, -1);
        for (int b = 0; b < rows; b++) {
            int[] p = prompts.get(b);
            int[] c = completions.get(b);
            if (p.length == 0 || p.length + c.length > seqLen) {
                throw new IllegalArgumentException("row " + b + ": prompt (" + p.length + ") + completion (" + c.length
                        + ") tokens must be in [1, " + seqLen + "]");
            }
            int base = b * seqLen;
            System.arraycopy(p, 0, tokens, base, p.length);
            System.arraycopy(c, 0, tokens, base + p.length, c.length);
            for (int j = 0; j < c.length; j++) {
                targets[base + p.length - 1 + j] = c[j];
            }
        }
        return new SequenceBatch(tokens, targets, rows, seqLen);
    }

    /** Supervised rows: each problem's prompt followed by its answer and the stop token. */
    public static SequenceBatch supervised(List<Problem> problems, RlTask task, int seqLen) {
        return of(problems.stream().map(task::promptTokens).toList(), problems.stream().map(task::answerTokens).toList(), seqLen);
    }

    /**
     * This batch grown to {@code rows} rows: the added rows hold end tokens and no target, so they
     * add nothing to a loss or a gradient (a device backend keeps one batch shape this way).
     */
    public SequenceBatch padded(int rows) {
        if (rows < this.rows) {
            throw new IllegalArgumentException("cannot pad " + this.rows + " rows to " + rows);
        }
        int[] t = java.util.Arrays.copyOf(tokens, rows * seqLen);
        int[] g = java.util.Arrays.copyOf(targets, rows * seqLen);
        java.util.Arrays.fill(t, this.rows * seqLen, t.length, CharTokenizer.END);
        java.util.Arrays.fill(g, this.rows * seqLen, g.length, -1);
        return new SequenceBatch(t, g, rows, seqLen);
    }

    /** Target positions of all rows. */
    public int targetCount() {
        int n = 0;
        for (int t : targets) {
            n += t >= 0 ? 1 : 0;
        }
        return n;
    }
}
