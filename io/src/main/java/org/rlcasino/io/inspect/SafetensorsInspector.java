package org.rlcasino.io.inspect;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.rlcasino.io.Progress;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsCheckpoint;
import org.rlcasino.io.safetensors.SafetensorsEntry;

/**
 * Inspects a safetensors checkpoint (a file, a directory of shards or a shard index): its files,
 * {@code __metadata__}, and per tensor the dtype, shape, size and statistics, read
 * {@code chunk} elements at a time.
 */
final class SafetensorsInspector {
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SafetensorsInspector() {}

    static Inspection inspect(Path path, Inspector.Settings settings) throws IOException {
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(path)) {
            List<SafetensorsEntry> tensors = checkpoint.tensors();
            long elements = 0;
            long bytes = 0;
            long reads = 0;
            long largest = 0;
            Map<String, Integer> dtypes = new TreeMap<>();
            for (SafetensorsEntry t : tensors) {
                elements += t.numel();
                bytes += t.byteSize();
                reads += Math.ceilDiv(t.numel(), settings.chunk());
                largest = Math.max(largest, t.numel());
                dtypes.merge(t.dtype().name(), 1, Integer::sum);
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("files", checkpoint.files().stream().map(Path::toString).toList());
            summary.put("tensorCount", tensors.size());
            summary.put("elements", elements);
            summary.put("bytes", bytes);
            summary.put("dtypes", dtypes);
            summary.put("metadata", checkpoint.metadata());

            boolean sharded = checkpoint.files().size() > 1;
            List<Inspection.Column> columns = Inspection.columns("name", "name", "dtype", "dtype", "shape", "shape",
                    "elements", "elements", "bytes", "bytes");
            if (sharded) {
                columns.addAll(Inspection.columns("file", "file"));
            }
            if (settings.stats()) {
                columns.addAll(TensorStatistics.COLUMNS);
            }
            Inspection.Table table = new Inspection.Table("tensors", columns);
            Buffers buffers = new Buffers((int) Math.min(settings.chunk(), largest));
            TensorStatistics statistics = new TensorStatistics();
            Progress progress = settings.progress(elements);
            progress.begin("stats", reads);
            try {
                for (SafetensorsEntry t : tensors) {
                    List<Object> row = new ArrayList<>(List.of(t.name(), t.dtype().name(), t.shape(), t.numel(), t.byteSize()));
                    if (sharded) {
                        row.add(String.valueOf(checkpoint.fileOf(t.name()).getFileName()));
                    }
                    if (settings.stats()) {
                        statistics.clear();
                        for (long offset = 0; offset < t.numel(); offset += settings.chunk()) {
                            int count = (int) Math.min(settings.chunk(), t.numel() - offset);
                            read(checkpoint, t, offset, count, buffers, statistics);
                            progress.advance(1);
                        }
                        row.addAll(statistics.cells());
                    }
                    table.add(row);
                }
            } finally {
                progress.end();
            }
            return new Inspection(path.toString(), "safetensors", summary, List.of(table));
        }
    }

    /** Adds elements {@code [offset, offset + count)} of {@code t} to {@code statistics}, exactly as stored. */
    private static void read(SafetensorsCheckpoint checkpoint, SafetensorsEntry t, long offset, int count, Buffers buffers,
                             TensorStatistics statistics) {
        Dtype dtype = t.dtype();
        if (dtype == Dtype.F64) {
            // readFloats would round F64 to float; read the doubles themselves.
            MemorySegment.copy(checkpoint.slice(t.name()), F64_LE, offset * Double.BYTES, buffers.doubles(), 0, count);
            statistics.accept(buffers.doubles(), 0, count);
        } else if (dtype.isFloatingPoint()) {
            checkpoint.readFloats(t.name(), offset, buffers.floats(), 0, count);
            statistics.accept(buffers.floats(), 0, count);
        } else {
            // Integers as longs: readFloats is exact only up to 2^24.
            long[] longs = buffers.longs();
            double[] doubles = buffers.doubles();
            checkpoint.readLongs(t.name(), offset, longs, 0, count);
            for (int i = 0; i < count; i++) {
                doubles[i] = longs[i];
            }
            statistics.accept(doubles, 0, count);
        }
    }

    /** Read buffers of {@code size} elements, allocated on first use. */
    private static final class Buffers {
        private final int size;
        private float[] floats;
        private double[] doubles;
        private long[] longs;

        Buffers(int size) {
            this.size = size;
        }

        float[] floats() {
            return floats != null ? floats : (floats = new float[size]);
        }

        double[] doubles() {
            return doubles != null ? doubles : (doubles = new double[size]);
        }

        long[] longs() {
            return longs != null ? longs : (longs = new long[size]);
        }
    }
}
