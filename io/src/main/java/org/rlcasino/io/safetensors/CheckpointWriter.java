package org.rlcasino.io.safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.rlcasino.io.AtomicFileWriter;

/**
 * Writes a model's weights as Hugging Face's {@code save_pretrained} does: one
 * {@code model.safetensors} when they fit {@code maxShardBytes}, else shards
 * {@code model-0000i-of-0000N.safetensors} filled in order (a tensor larger than the limit gets a
 * shard of its own) and {@code model.safetensors.index.json} mapping every tensor to its shard, each
 * file with {@code format=pt} metadata. Float32 values are written as F32, F16 or BF16 (rounded to
 * nearest even). Every file is written atomically; when writing fails, the files this call wrote
 * are removed again, and stale shards or an index of an earlier save are replaced or removed, so
 * the directory never mixes two saves.
 */
public final class CheckpointWriter {
    /** {@code save_pretrained}'s default shard size: 5 GB. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model" + SafetensorsCheckpoint.INDEX_SUFFIX;

    /**
     * A tensor to write: its Hugging Face name, shape, and {@code product(shape)} float32 values
     * starting at {@code offset} of {@code data} (a view into a flat parameter buffer).
     */
    public record Tensor(String name, long[] shape, float[] data, int offset) {
        public Tensor {
            long n = elements(shape);
            if (offset < 0 || offset + n > data.length) {
                throw new IllegalArgumentException("tensor " + name + ": " + n + " values from " + offset + " do not fit "
                        + data.length);
            }
        }

        static long elements(long[] shape) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private CheckpointWriter() {}

    /** Writes {@code tensors} into {@code dir} in {@code dtype}; returns the files written. */
    public static List<Path> write(Path dir, List<Tensor> tensors, Dtype dtype, long maxShardBytes) throws IOException {
        if (dtype != Dtype.F32 && dtype != Dtype.F16 && dtype != Dtype.BF16) {
            throw new IllegalArgumentException("weights are saved as F32, F16 or BF16, not " + dtype);
        }
        if (maxShardBytes < 1) {
            throw new IllegalArgumentException("the shard size must be positive, got " + maxShardBytes);
        }
        List<List<Tensor>> shards = new ArrayList<>();
        List<Tensor> current = new ArrayList<>();
        long bytes = 0;
        long total = 0;
        for (Tensor t : tensors) {
            long size = Tensor.elements(t.shape()) * dtype.byteSize();
            if (!current.isEmpty() && bytes + size > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(t);
            bytes += size;
            total += size;
        }
        shards.add(current);
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        try {
            Map<String, String> weightMap = new LinkedHashMap<>();
            for (int s = 0; s < shards.size(); s++) {
                String file = shards.size() == 1 ? SINGLE
                        : String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", s + 1, shards.size());
                SafetensorsWriter.Builder builder = SafetensorsWriter.builder().metadata("format", "pt");
                for (Tensor t : shards.get(s)) {
                    float[] values = t.offset() == 0 && t.data().length == Tensor.elements(t.shape()) ? t.data()
                            : java.util.Arrays.copyOfRange(t.data(), t.offset(), (int) (t.offset() + Tensor.elements(t.shape())));
                    builder.add(t.name(), dtype, t.shape(), values);
                    weightMap.put(t.name(), file);
                }
                Path target = dir.resolve(file);
                builder.build().write(target);
                written.add(target);
            }
            if (shards.size() > 1) {
                Map<String, Object> index = new LinkedHashMap<>();
                index.put("metadata", Map.of("total_size", total));
                index.put("weight_map", weightMap);
                Path target = dir.resolve(INDEX);
                AtomicFileWriter.writeString(target, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(index) + "\n");
                written.add(target);
            }
        } catch (IOException | RuntimeException e) {
            for (Path p : written) {
                Files.deleteIfExists(p);
            }
            throw e;
        }
        removeStale(dir, written);
        return written;
    }

    /** Removes model weights of an earlier save that this one did not write. */
    private static void removeStale(Path dir, List<Path> written) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                boolean weights = name.equals(SINGLE) || name.equals(INDEX) || name.matches("model-\\d{5}-of-\\d{5}\\.safetensors");
                if (weights && !written.contains(p)) {
                    Files.delete(p);
                }
            }
        }
    }
}
