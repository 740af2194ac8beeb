package org.rlcasino.io.safetensors;

import org.rlcasino.io.NameSuggestions;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One logical checkpoint made of one or more safetensors files (shards), as Hugging Face saves
 * large models: {@code model-00001-of-00003.safetensors} … with a
 * {@code model.safetensors.index.json} whose {@code "weight_map"} maps each tensor to its shard.
 * A tensor name is unique across the checkpoint; reads go to the shard that holds it.
 *
 * <pre>{@code
 * try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(Path.of("run/checkpoint-100"))) {
 *     for (SafetensorsEntry t : ckpt.tensors()) { ... ckpt.readFloats(t.name(), offset, buf, 0, n) ... }
 * }
 * }</pre>
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    /** The file name ending of a shard index, as in {@code model.safetensors.index.json}. */
    public static final String INDEX_SUFFIX = ".safetensors.index.json";
    private static final String SHARD_SUFFIX = ".safetensors";

    private final String source;
    private final List<SafetensorsFile> shards;
    private final List<Path> files;
    private final Map<String, String> metadata;
    private final List<SafetensorsEntry> tensors;
    private final Map<String, SafetensorsFile> shardByTensor;

    private SafetensorsCheckpoint(String source, List<SafetensorsFile> shards) {
        this.source = source;
        this.shards = List.copyOf(shards);
        this.files = shards.stream().map(SafetensorsFile::path).toList();
        Map<String, String> merged = new LinkedHashMap<>();
        Map<String, SafetensorsFile> owners = new HashMap<>();
        List<SafetensorsEntry> all = new ArrayList<>();
        for (SafetensorsFile shard : shards) {
            shard.metadata().forEach(merged::putIfAbsent);
            for (SafetensorsEntry t : shard.tensors()) {
                SafetensorsFile other = owners.putIfAbsent(t.name(), shard);
                if (other != null) {
                    throw new SafetensorsFormatException(shard.path(), t.name(), "also in " + other.path()
                            + "; a tensor must be in exactly one shard of a checkpoint");
                }
                all.add(t);
            }
        }
        this.metadata = Collections.unmodifiableMap(merged);
        this.tensors = List.copyOf(all);
        this.shardByTensor = owners;
    }

    /**
     * Opens a checkpoint given as one safetensors file, a shard index ({@code *.json}, normally
     * {@code model.safetensors.index.json}), or a directory: through its index when it holds
     * exactly one {@code *.safetensors.index.json}, else all its {@code *.safetensors} files
     * (sorted by name, hidden files skipped).
     *
     * @throws SafetensorsFormatException for an invalid file or index, a directory without
     *     safetensors files, or a tensor in two shards
     */
    public static SafetensorsCheckpoint open(Path fileOrDirectoryOrIndexJson) throws IOException {
        Path path = Objects.requireNonNull(fileOrDirectoryOrIndexJson, "path");
        if (Files.isDirectory(path)) {
            return openDirectory(path);
        }
        org.rlcasino.io.PathGuard.requireRegularFile(path, "a checkpoint (a .safetensors file, a directory of shards or a *"
                + INDEX_SUFFIX + ")");
        if (path.getFileName().toString().endsWith(".json")) {
            return openIndex(path);
        }
        return open(path.toString(), List.of(path));
    }

    /**
     * Opens these safetensors files as one checkpoint (in this order).
     *
     * @throws SafetensorsFormatException for an invalid file or a tensor in two of them
     * @throws IllegalArgumentException for an empty list or a file listed twice
     */
    public static SafetensorsCheckpoint open(List<Path> files) throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a checkpoint needs at least one safetensors file");
        }
        Set<Path> seen = new HashSet<>();
        for (Path f : files) {
            if (!seen.add(f.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException(f + " is listed twice");
            }
        }
        return open(files.size() == 1 ? files.getFirst().toString() : files.size() + " files " + files, files);
    }

    private static SafetensorsCheckpoint openDirectory(Path dir) throws IOException {
        List<Path> indexes = new ArrayList<>();
        List<Path> shards = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(p)) {
                    continue;
                }
                if (name.endsWith(INDEX_SUFFIX)) {
                    indexes.add(p);
                } else if (name.endsWith(SHARD_SUFFIX)) {
                    shards.add(p);
                }
            }
        }
        if (indexes.size() > 1) {
            throw new SafetensorsFormatException(dir, null, "holds " + indexes.size() + " shard indexes "
                    + indexes.stream().map(p -> p.getFileName().toString()).toList() + "; open one of them");
        }
        if (indexes.size() == 1) {
            return openIndex(indexes.getFirst());
        }
        if (shards.isEmpty()) {
            throw new SafetensorsFormatException(dir, null, "directory holds no *.safetensors files and no *"
                    + INDEX_SUFFIX);
        }
        return open(dir.toString(), shards);
    }

    /** Reads {@code {"metadata": {...}, "weight_map": {"tensor": "shard file", ...}}} and checks it against the shards. */
    private static SafetensorsCheckpoint openIndex(Path index) throws IOException {
        JsonNode root;
        try {
            root = SafetensorsHeader.MAPPER.readTree(Files.readString(index));
        } catch (JacksonException e) {
            throw new SafetensorsFormatException(index, null, "index is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new SafetensorsFormatException(index, null, "index is not valid UTF-8", e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(index, null, "index is "
                    + (root == null || root.isMissingNode() ? "empty" : SafetensorsHeader.describe(root))
                    + ", expected a JSON object with \"weight_map\"");
        }
        JsonNode weightMap = root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsFormatException(index, null, "index has "
                    + (weightMap == null ? "no \"weight_map\"" : "a \"weight_map\" that is " + SafetensorsHeader.describe(weightMap))
                    + ", expected an object mapping tensor names to shard files");
        }
        Map<String, String> shardOf = new LinkedHashMap<>();
        Map<String, Path> shardPaths = new TreeMap<>();
        Path dir = index.toAbsolutePath().getParent();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            if (!e.getValue().isTextual() || e.getValue().textValue().isEmpty()) {
                throw new SafetensorsFormatException(index, e.getKey(), "\"weight_map\" gives "
                        + SafetensorsHeader.describe(e.getValue()) + ", expected a shard file name");
            }
            String shard = e.getValue().textValue();
            shardOf.put(e.getKey(), shard);
            if (!shardPaths.containsKey(shard)) {
                Path p = index.resolveSibling(shard);
                if (!Files.isRegularFile(p)) {
                    throw new SafetensorsFormatException(index, e.getKey(), "\"weight_map\" names shard '" + shard
                            + "', which is not a file in " + dir);
                }
                shardPaths.put(shard, p);
            }
        }
        if (shardOf.isEmpty()) {
            throw new SafetensorsFormatException(index, null, "\"weight_map\" is empty");
        }
        SafetensorsCheckpoint checkpoint = open(index.toString(), List.copyOf(shardPaths.values()));
        try {
            for (Map.Entry<String, String> e : shardOf.entrySet()) {
                SafetensorsFile holder = checkpoint.shardByTensor.get(e.getKey());
                Path expected = shardPaths.get(e.getValue());
                if (holder == null || !holder.path().equals(expected)) {
                    throw new SafetensorsFormatException(index, e.getKey(), "\"weight_map\" says it is in '"
                            + e.getValue() + "' but " + (holder == null ? "no shard has it" : "it is in " + holder.path()));
                }
            }
            for (SafetensorsEntry t : checkpoint.tensors) {
                if (!shardOf.containsKey(t.name())) {
                    throw new SafetensorsFormatException(index, t.name(), "is in shard "
                            + checkpoint.shardByTensor.get(t.name()).path() + " but not in \"weight_map\"");
                }
            }
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
        return checkpoint;
    }

    private static SafetensorsCheckpoint open(String source, List<Path> files) throws IOException {
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Path f : files) {
                opened.add(SafetensorsFile.open(f));
            }
            return new SafetensorsCheckpoint(source, opened);
        } catch (IOException | RuntimeException | Error e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** The shard files, in the order their tensors are listed. */
    public List<Path> files() {
        return files;
    }

    /**
     * The shards' {@code __metadata__} merged in shard order; where shards disagree on a key, the
     * first shard's value is kept. (An index's own {@code "metadata"}, e.g. {@code total_size},
     * is not included.)
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** All tensors: shard by shard, each in file order. */
    public List<SafetensorsEntry> tensors() {
        return tensors;
    }

    /** Whether some shard holds {@code name}. */
    public boolean contains(String name) {
        return shardByTensor.containsKey(name);
    }

    /**
     * The tensor called {@code name}.
     *
     * @throws IllegalArgumentException naming the nearest names when there is none
     */
    public SafetensorsEntry tensor(String name) {
        return shard(name).tensor(name);
    }

    /** The file that holds {@code name}. */
    public Path fileOf(String name) {
        return shard(name).path();
    }

    /** The tensor's bytes as a read-only slice of its shard's mapping. */
    public MemorySegment slice(String name) {
        return shard(name).slice(name);
    }

    /** As {@link SafetensorsFile#readFloats(String)}. */
    public float[] readFloats(String name) {
        return shard(name).readFloats(name);
    }

    /** As {@link SafetensorsFile#readFloats(String, long, float[], int, int)}. */
    public void readFloats(String name, long elementOffset, float[] dst, int dstOffset, int count) {
        shard(name).readFloats(name, elementOffset, dst, dstOffset, count);
    }

    /** As {@link SafetensorsFile#readFloatDifference}: this checkpoint's elements minus {@code before}'s, in float32. */
    public void readFloatDifference(String name, SafetensorsCheckpoint before, long elementOffset, float[] dst, int dstOffset,
                                    int count) {
        shard(name).readFloatDifference(name, before.shard(name), elementOffset, dst, dstOffset, count);
    }

    /** As {@link SafetensorsFile#readInts(String)}. */
    public int[] readInts(String name) {
        return shard(name).readInts(name);
    }

    /** As {@link SafetensorsFile#readInts(String, long, int[], int, int)}. */
    public void readInts(String name, long elementOffset, int[] dst, int dstOffset, int count) {
        shard(name).readInts(name, elementOffset, dst, dstOffset, count);
    }

    /** As {@link SafetensorsFile#readLongs(String)}. */
    public long[] readLongs(String name) {
        return shard(name).readLongs(name);
    }

    /** As {@link SafetensorsFile#readLongs(String, long, long[], int, int)}. */
    public void readLongs(String name, long elementOffset, long[] dst, int dstOffset, int count) {
        shard(name).readLongs(name, elementOffset, dst, dstOffset, count);
    }

    /** Unmaps every shard; idempotent. */
    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "SafetensorsCheckpoint[" + source + ", " + shards.size() + " files, " + tensors.size() + " tensors]";
    }

    private SafetensorsFile shard(String name) {
        SafetensorsFile shard = shardByTensor.get(name);
        if (shard == null) {
            throw new IllegalArgumentException(source + ": " + NameSuggestions.missing(name, shardByTensor.keySet()));
        }
        return shard;
    }
}
