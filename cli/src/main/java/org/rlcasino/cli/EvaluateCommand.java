package org.rlcasino.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.rlcasino.io.PathGuard;
import org.rlcasino.kernels.Backend;
import org.rlcasino.train.checkpoint.ModelDirectory;
import org.rlcasino.train.model.LanguageModel;
import org.rlcasino.train.model.SamplingOptions;
import org.rlcasino.train.model.TokenGenerator;
import org.rlcasino.train.rng.SplitMix64;
import org.rlcasino.train.task.CharTokenizer;
import org.rlcasino.train.task.Evaluator;
import org.rlcasino.train.task.Problem;
import org.rlcasino.train.task.VerifiableTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino evaluate}: greedy exact-match accuracy of a model on held-out prompts of a task. */
@Command(name = "evaluate", header = "Held-out exact-match accuracy of a trained model on a task.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generates greedily for the first N held-out prompts of the task's split (the split the",
                "trainer held out with the same --seed; keep N <= the run-config's task.heldOutPrompts) and prints",
                "the fraction answered exactly."})
final class EvaluateCommand implements Callable<Integer>, DeclaresFiles {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory, e.g. runs/quickstart/sft/final.")
    Path model;

    @Option(names = "--task", required = true, paramLabel = "KIND", description = "addition, reverse or sort.")
    String task;

    @Option(names = "--digits", paramLabel = "D", description = "Digits per operand / string. Default: 2 for addition, 4 otherwise.")
    Integer digits;

    @Option(names = "--prompts", defaultValue = "256", paramLabel = "N", description = "Held-out prompts to evaluate. Default: ${DEFAULT-VALUE}.")
    int prompts;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Split seed (task.splitSeed of the run-config). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--show", defaultValue = "0", paramLabel = "N", description = "Also print the first N prompts with the model's answers. Default: ${DEFAULT-VALUE}.")
    int show;

    @Option(names = "--verbose", description = "On errors, also print the stack trace.")
    boolean verbose;

    @Mixin
    BackendOptions backendOptions = new BackendOptions();

    @Override
    public void declareFiles(PathGuard files) {
        files.input("--model", model);
    }

    @Override
    public Integer call() throws Exception {
        int d = digits != null ? digits : task.equalsIgnoreCase("addition") ? 2 : 4;
        VerifiableTask t = new VerifiableTask(task, d, prompts, seed);
        ModelDirectory c = ModelDirectory.load(model);
        if (c.tokenizer() != null && !c.tokenizer().equals(t.tokenizer())) {
            throw new IllegalArgumentException(model + ": its tokenizer.json differs from the task tokenizer");
        }
        if (c.architecture().vocabSize() < t.tokenizer().vocabSize()) {
            throw new IllegalArgumentException(model + ": vocab_size " + c.architecture().vocabSize() + " is smaller than the task's "
                    + t.tokenizer().vocabSize() + " tokens");
        }
        int needed = t.maxPromptLength() + t.maxCompletionTokens();
        if (needed > c.architecture().maxSeqLen()) {
            throw new IllegalArgumentException("--digits " + d + ": " + t.kind() + " prompts of up to " + t.maxPromptLength()
                    + " tokens plus answers of up to " + t.maxCompletionTokens() + " (with the end token) need " + needed
                    + " tokens; the model's context is " + c.architecture().maxSeqLen() + ": give fewer --digits (those it was trained on)");
        }
        List<Problem> problems = t.heldOut();
        PrintWriter o = spec.commandLine().getOut();
        try (Backend backend = backendOptions.open(); LanguageModel m = c.architecture().create(backend)) {
            System.arraycopy(c.params(), 0, m.parameters(), 0, c.params().length);
            m.parametersWritten();
            long t0 = System.nanoTime();
            double accuracy = Evaluator.accuracy(m, t, problems);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (show > 0) {
                CharTokenizer tok = t.tokenizer();
                int[][] ps = problems.stream().limit(show).map(p -> tok.encode(p.prompt())).toArray(int[][]::new);
                int[][] out;
                try (TokenGenerator generator = m.generator(ps.length, needed)) {
                    out = generator.generate(ps, t.maxCompletionTokens(), CharTokenizer.END, SamplingOptions.GREEDY, new SplitMix64(0));
                }
                for (int i = 0; i < out.length; i++) {
                    o.printf(Locale.ROOT, "%s%s  (expected %s)%n", problems.get(i).prompt(), tok.decode(out[i]), problems.get(i).answer());
                }
            }
            o.printf(Locale.ROOT, "%s (%d digits): held-out accuracy %.4f (%d of %d prompts, split seed %d) in %.2f s%n", t.kind(), d,
                    accuracy, Math.round(accuracy * problems.size()), problems.size(), seed, seconds);
        }
        o.flush();
        return 0;
    }
}
