package org.rlcasino.io.deltas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Orders checkpoints by training step. Names understood: Hugging Face Trainer directories
 * {@code checkpoint-<step>/}, and files or directories {@code step_<n>}, {@code step-<n>},
 * {@code step<n>} (with or without {@code .safetensors}).
 */
public final class CheckpointSeries {
    private static final Pattern STEP = Pattern.compile("(?:checkpoint|step)[-_]?(\\d{1,9})(?:\\.safetensors)?");

    private CheckpointSeries() {}

    /**
     * The checkpoints given on a command line, in that order. Their steps come from their names when
     * every name carries one (and they increase), else from their positions 0, 1, 2, ….
     */
    public static List<CheckpointRef> of(List<Path> paths) throws IOException {
        if (paths.size() < 2) {
            throw new IllegalArgumentException("deltas need at least two checkpoints, got " + paths.size());
        }
        List<CheckpointRef> refs = new ArrayList<>();
        boolean named = true;
        int previous = -1;
        Map<Path, Integer> seen = new HashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            Path p = paths.get(i);
            requireExists(p);
            Integer first = seen.putIfAbsent(p.toRealPath(), i);
            if (first != null) {
                throw new IllegalArgumentException(p + " is given twice (checkpoints " + (first + 1) + " and " + (i + 1)
                        + " of the list, as " + paths.get(first) + " and " + p + "); give each checkpoint once, in step order");
            }
            Integer step = stepOf(p);
            if (step == null || step <= previous) {
                named = false;
            } else {
                previous = step;
            }
        }
        for (int i = 0; i < paths.size(); i++) {
            refs.add(new CheckpointRef(named ? stepOf(paths.get(i)) : i, paths.get(i)));
        }
        return refs;
    }

    /**
     * A warning when every checkpoint's name carries a step but the steps do not increase in the
     * order given (the list is then used in that order, as steps 0, 1, 2, …), else empty.
     */
    public static Optional<String> orderWarning(List<Path> paths) {
        List<Integer> steps = new ArrayList<>();
        for (Path p : paths) {
            Integer step = stepOf(p);
            if (step == null) {
                return Optional.empty();
            }
            steps.add(step);
        }
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i) <= steps.get(i - 1)) {
                return Optional.of("the checkpoint names carry steps " + steps.stream().map(String::valueOf)
                        .collect(java.util.stream.Collectors.joining(", ")) + ", which do not increase: the deltas follow the "
                        + "order given (as steps 0.." + (steps.size() - 1) + "); list the checkpoints in training order, "
                        + "or use --steps-from DIR, which sorts them by step");
            }
        }
        return Optional.empty();
    }

    /** The checkpoints inside {@code directory}, sorted by the step in their names. */
    public static List<CheckpointRef> scan(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException(directory + ": not a directory (--steps-from takes a directory of "
                    + "checkpoint-<step>/ directories or step_<n>.safetensors files)");
        }
        List<CheckpointRef> refs = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                Integer step = stepOf(p);
                boolean usable = Files.isDirectory(p) || p.getFileName().toString().endsWith(".safetensors");
                if (step != null && usable) {
                    refs.add(new CheckpointRef(step, p));
                }
            }
        }
        refs.sort(Comparator.comparingInt(CheckpointRef::step));
        for (int i = 1; i < refs.size(); i++) {
            if (refs.get(i).step() == refs.get(i - 1).step()) {
                throw new IllegalArgumentException(directory + ": two checkpoints for step " + refs.get(i).step() + ": "
                        + refs.get(i - 1).path().getFileName() + " and " + refs.get(i).path().getFileName());
            }
        }
        if (refs.size() < 2) {
            throw new IllegalArgumentException(directory + ": found " + refs.size() + " checkpoint(s) named checkpoint-<step>"
                    + " or step_<n>[.safetensors]; deltas need at least two");
        }
        return refs;
    }

    /** The step in a checkpoint's name, or null. */
    static Integer stepOf(Path path) {
        Path name = path.getFileName();
        if (name == null) {
            return null;
        }
        Matcher m = STEP.matcher(name.toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : null;
    }

    private static void requireExists(Path p) throws NoSuchFileException {
        if (!Files.exists(p)) {
            throw new IllegalArgumentException(p + ": no such checkpoint (give safetensors files, shard directories "
                    + "or model.safetensors.index.json files)");
        }
    }
}
