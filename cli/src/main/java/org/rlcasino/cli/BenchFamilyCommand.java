package org.rlcasino.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.rlcasino.bench.FamilyBenchmark;
import org.rlcasino.io.PathGuard;
import org.rlcasino.io.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino bench family}: forward tokens/s and training-step time of each Hugging Face model family at two sizes. */
@Command(name = "family",
        header = "Forward tokens/s and training-step time of the Llama, Qwen2, Qwen3 and Gemma 3 models at two sizes.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Builds each family's model from a config.json written in code (the family's own defaults: Gemma 3's "
                + "tied head, 5:1 sliding layers and (1 + w) norms, Qwen2's q/k/v biases, Qwen3's q/k norms) at the "
                + "sizes asked for — tiny (hidden 64, 2 layers, 4 heads, 2 KV heads, head_dim 16, MLP 128, vocabulary "
                + "512; B=8, T=64) and 100m (hidden 768, 12 layers, 12 heads, 4 KV heads, head_dim 64, MLP 2048, "
                + "vocabulary 32000; B=4, T=128; 100M parameters tied, 125M untied) — with seeded random weights, and times "
                + "on the JVM backend the logits of B×T tokens (forward tokens/s) and whole training steps (forward "
                + "log-probs + backward + dense AdamW), models of one size interleaved after warm-up. Models that do not "
                + "fit in the heap together run in groups; one that does not fit alone is refused with its estimate.")
final class BenchFamilyCommand implements Callable<Integer>, DeclaresFiles {
    @Spec
    CommandSpec spec;

    @Option(names = "--families", split = ",", paramLabel = "F", defaultValue = "llama,qwen2,qwen3,gemma3_text",
            description = "Model types: llama, mistral, qwen2, qwen3, gemma3_text (gemma3 also). Default: ${DEFAULT-VALUE}.")
    List<String> families;

    @Option(names = "--sizes", split = ",", paramLabel = "S", defaultValue = "tiny",
            description = "Model sizes: tiny, 100m (minutes per step on 2 cores: the decoder's kernels have no JVM fast "
                    + "paths yet). Default: ${DEFAULT-VALUE}.")
    List<String> sizes;

    @Option(names = "--batch", paramLabel = "B", description = "Sequences per step. Default: each size's (tiny 8, 100m 4).")
    Integer batch;

    @Option(names = "--seq-len", paramLabel = "T", description = "Tokens per sequence. Default: each size's (tiny 64, 100m 128).")
    Integer seqLen;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "R",
            description = "Timed forwards and steps per model. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "W",
            description = "Warm-up forwards and steps per model. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--threads", split = ",", paramLabel = "T",
            description = "JVM backend thread counts, e.g. 1,2. Default: available processors.")
    List<Integer> threads;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of weights and batch. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--kernels", description = "Also print each row's milliseconds per step in each kernel.")
    boolean kernels;

    @Mixin
    BenchOutputOptions output = new BenchOutputOptions();

    @Override
    public void declareFiles(PathGuard files) {
        output.declareFiles(files);
    }

    @Override
    public Integer call() throws Exception {
        List<Integer> counts = new ArrayList<>();
        if (threads == null) {
            counts.add(JvmThreadsOptions.resolve(null));
        } else {
            for (Integer t : threads) {
                counts.add(JvmThreadsOptions.resolve(t));
            }
        }
        List<String> names = families.stream().map(f -> {
            String name = f.strip().toLowerCase(Locale.ROOT);
            return name.equals("gemma3") ? "gemma3_text" : name;
        }).distinct().toList();
        FamilyBenchmark.Config config = new FamilyBenchmark.Config(names, sizes.stream().map(s -> s.strip().toLowerCase(Locale.ROOT))
                .distinct().toList(), batch, seqLen, counts, warmup, repeats, seed);
        FamilyBenchmark.Result result = FamilyBenchmark.run(config, progress(spec.commandLine().getErr()));
        spec.commandLine().getOut().print(FamilyBenchmark.table(result, kernels));
        spec.commandLine().getOut().flush();
        if (output.json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("format", "rlcasino.bench.family");
            doc.put("version", 1);
            doc.put("machine", BenchWorkspace.machine());
            doc.put("sizes", FamilyBenchmark.SIZES.stream().filter(s -> config.sizes().contains(s.name())).toList());
            doc.put("result", result);
            BenchWorkspace.writeJson(output.json, doc);
            spec.commandLine().getErr().println("wrote " + output.json);
        }
        return 0;
    }

    /**
     * The progress bar, and when standard error is no terminal (a log file, where the bar draws
     * nothing) one line per pass, so that a long run shows where it is; nothing with {@code --quiet}.
     */
    private Progress progress(PrintWriter err) {
        Progress bar = new ConsoleProgress(output.quiet);
        java.io.Console console = System.console();
        boolean lines = !output.quiet && (console == null || !console.isTerminal());
        return new Progress() {
            @Override
            public void begin(String task, long units) {
                if (lines) {
                    err.println("bench family: " + task);
                    err.flush();
                }
                bar.begin(task, units);
            }

            @Override
            public void advance(long units) {
                bar.advance(units);
            }

            @Override
            public void end() {
                bar.end();
            }
        };
    }
}
