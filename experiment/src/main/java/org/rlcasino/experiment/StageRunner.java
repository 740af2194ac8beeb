package org.rlcasino.experiment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs stages in order. A stage is skipped when its manifest exists, its fingerprint (SHA-256 of
 * its name, its {@link Stage#inputs()} and the result tokens of its dependencies) is unchanged and
 * its outputs are intact; otherwise its directory is emptied and it runs, and its manifest is
 * written atomically at the end. A stage that throws leaves no manifest, so the next run redoes
 * it; finished stages keep theirs.
 */
public final class StageRunner {
    /** What happened to one stage. */
    public record Outcome(String stage, boolean skipped, double seconds) {}

    private final StageContext context;

    public StageRunner(StageContext context) {
        this.context = context;
    }

    /**
     * Runs {@code stages} (in dependency order); {@code force} names stages to redo regardless of
     * their manifests (downstream stages then redo too, as their upstream results changed).
     */
    public List<Outcome> run(List<Stage> stages, Set<String> force) {
        return run(stages, force, false);
    }

    /**
     * As {@link #run(List, Set)}; with {@code resume}, a {@link Stage#resumable()} stage that is not
     * up to date but has a directory continues there ({@link Stage#resume}) instead of starting over.
     */
    public List<Outcome> run(List<Stage> stages, Set<String> force, boolean resume) {
        Map<String, Stage> byName = new HashMap<>();
        for (Stage s : stages) {
            if (byName.put(s.name(), s) != null) {
                throw new IllegalArgumentException("two stages named '" + s.name() + "'");
            }
        }
        for (String f : force) {
            if (!byName.containsKey(f)) {
                throw new IllegalArgumentException("--force " + f + ": no such stage in this run; stages: "
                        + String.join(", ", stages.stream().map(Stage::name).toList()));
            }
        }
        Map<String, StageManifest> done = new HashMap<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (Stage stage : stages) {
            Path dir = context.runDir().resolve(stage.name());
            String fingerprint;
            try {
                fingerprint = fingerprint(stage, done);
            } catch (Exception e) {
                throw failure(stage, e);
            }
            StageManifest previous = StageManifest.read(dir);
            if (!force.contains(stage.name()) && previous != null && previous.fingerprint().equals(fingerprint)
                    && previous.outputsIntact(dir)) {
                context.log().printf(Locale.ROOT, "stage %-28s up to date (finished %s), skipped%n", stage.name(),
                        previous.finishedAt());
                context.log().flush();
                done.put(stage.name(), previous);
                outcomes.add(new Outcome(stage.name(), true, 0));
                continue;
            }
            boolean continuing = resume && stage.resumable() && !force.contains(stage.name()) && Files.isDirectory(dir);
            context.log().printf(Locale.ROOT, "stage %-28s %s%n", stage.name(), continuing ? "resuming"
                    : "running" + (previous == null ? "" : force.contains(stage.name()) ? " (forced)" : " (inputs changed)"));
            context.log().flush();
            long t0 = System.nanoTime();
            try {
                if (continuing) {
                    stage.resume(dir, context);
                } else {
                    clear(dir);
                    Files.createDirectories(dir);
                    stage.run(dir, context);
                }
                List<StageManifest.Output> outputs = new ArrayList<>();
                for (String out : stage.outputs()) {
                    Path p = dir.resolve(out);
                    if (!Files.isRegularFile(p)) {
                        throw new IllegalStateException("stage finished without writing its output " + p);
                    }
                    outputs.add(new StageManifest.Output(out, Files.size(p)));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                StageManifest manifest = new StageManifest(stage.name(), fingerprint, Instant.now().toString(), seconds, outputs);
                manifest.write(dir);
                done.put(stage.name(), manifest);
                outcomes.add(new Outcome(stage.name(), false, seconds));
                context.log().printf(Locale.ROOT, "stage %-28s done in %.1f s%n", stage.name(), seconds);
                context.log().flush();
            } catch (Exception | Error e) {
                throw failure(stage, e);
            }
        }
        return outcomes;
    }

    private static StageFailedException failure(Stage stage, Throwable e) {
        boolean badInput = e instanceof IllegalArgumentException || e instanceof NoSuchFileException;
        return new StageFailedException(stage.name(), e, badInput);
    }

    static String fingerprint(Stage stage, Map<String, StageManifest> done) throws Exception {
        StringBuilder text = new StringBuilder(stage.name()).append('\n').append(stage.inputs()).append('\n');
        for (String dep : stage.dependencies()) {
            StageManifest m = done.get(dep);
            if (m == null) {
                throw new IllegalStateException("stage " + stage.name() + " depends on " + dep + ", which has not run before it");
            }
            text.append(dep).append('=').append(m.resultToken()).append('\n');
        }
        return sha256(text.toString());
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes {@code dir} and everything in it (a stage's partial output). */
    static void clear(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
