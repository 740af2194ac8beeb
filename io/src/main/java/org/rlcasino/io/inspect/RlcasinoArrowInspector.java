package org.rlcasino.io.inspect;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.DeltaStep;
import org.rlcasino.io.arrow.DeltaStreamReader;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.arrow.MaskFileInfo;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.io.arrow.MetricColumn;
import org.rlcasino.io.arrow.MetricTableReader;
import org.rlcasino.io.arrow.RlcasinoArrowFile;
import org.rlcasino.io.arrow.RlcasinoFormat;
import org.rlcasino.io.arrow.ScoreFileReader;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;

/**
 * Inspects the RL Casino Arrow files: deltas (statistics per tensor over all steps, and per
 * step), scores (statistics per tensor), masks (kept entries, density and blocks per tensor) and
 * metric tables (columns and the first rows). Reads one record batch at a time; the readers
 * check every row on the way, so a statistics pass also validates the file.
 */
final class RlcasinoArrowInspector {
    private RlcasinoArrowInspector() {}

    static Inspection inspect(Path path, RlcasinoFormat format, Inspector.Settings settings) throws IOException {
        try (BufferAllocator allocator = new RootAllocator()) {
            return switch (format) {
                case DELTAS -> deltas(path, allocator, settings);
                case SCORES -> scores(path, allocator, settings);
                case MASK -> mask(path, allocator, settings);
                case METRICS -> metrics(path, allocator, settings);
            };
        }
    }

    private static Inspection deltas(Path path, BufferAllocator allocator, Inspector.Settings settings) throws IOException {
        try (DeltaStreamReader reader = DeltaStreamReader.open(path, allocator)) {
            TensorTable tensors = reader.tensors();
            List<DeltaStep> steps = reader.steps();
            long elements = tensors.totalElements();
            Map<String, Object> summary = header(RlcasinoFormat.DELTAS, reader.metadata(), reader.provenance());
            summary.put("tolerance", reader.tolerance());
            summary.put("stepCount", steps.size());
            summary.put("zeroed", reader.zeroed());
            summary.put("tensorCount", tensors.size());
            summary.put("elements", elements);
            summary.put("values", elements * steps.size());
            summary.put("bytes", elements * steps.size() * Float.BYTES);
            putBatching(summary, reader.batching());

            TensorStatistics[] perTensor = newStatistics(tensors.size());
            TensorStatistics[] perStep = newStatistics(steps.size());
            if (settings.stats()) {
                long rows = steps.size() * rowCount(tensors, reader.batching());
                float[] values = new float[reader.batching().chunkElements()];
                TensorStatistics chunk = new TensorStatistics();
                Progress progress = settings.progress(elements * steps.size());
                progress.begin("stats", rows);
                try {
                    int position = -1;
                    while (reader.next()) {
                        if (position < 0 || reader.step() != steps.get(position).step()) {
                            position++;
                        }
                        reader.readValues(values, 0);
                        chunk.clear();
                        chunk.accept(values, 0, reader.length());
                        perTensor[reader.tensorIndex()].merge(chunk);
                        perStep[position].merge(chunk);
                        progress.advance(1);
                    }
                } finally {
                    progress.end();
                }
            }
            Inspection.Table tensorTable = tensorTable(tensors, settings, perTensor, t -> t.size() * steps.size() * Float.BYTES);
            List<Inspection.Column> stepColumns = Inspection.columns("step", "step", "source", "source", "zeroed", "zeroed");
            if (settings.stats()) {
                stepColumns.addAll(TensorStatistics.COLUMNS);
            }
            Inspection.Table stepTable = new Inspection.Table("steps", stepColumns);
            for (int s = 0; s < steps.size(); s++) {
                DeltaStep step = steps.get(s);
                List<Object> row = new ArrayList<>(Arrays.asList(step.step(), step.source(), step.zeroed()));
                if (settings.stats()) {
                    row.addAll(perStep[s].cells());
                }
                stepTable.add(row);
            }
            return new Inspection(path.toString(), RlcasinoFormat.DELTAS.formatName(), summary, List.of(tensorTable, stepTable));
        }
    }

    private static Inspection scores(Path path, BufferAllocator allocator, Inspector.Settings settings) throws IOException {
        try (ScoreFileReader reader = ScoreFileReader.open(path, allocator)) {
            TensorTable tensors = reader.tensors();
            long elements = tensors.totalElements();
            Map<String, Object> summary = header(RlcasinoFormat.SCORES, reader.metadata(), reader.provenance());
            summary.put("method", reader.info().method());
            summary.put("parameters", reader.info().parameters());
            summary.put("sourceSteps", reader.info().sourceSteps());
            summary.put("tensorCount", tensors.size());
            summary.put("elements", elements);
            summary.put("bytes", elements * Float.BYTES);
            putBatching(summary, reader.batching());

            TensorStatistics[] perTensor = newStatistics(tensors.size());
            if (settings.stats()) {
                float[] values = new float[reader.batching().chunkElements()];
                Progress progress = settings.progress(elements);
                progress.begin("stats", rowCount(tensors, reader.batching()));
                try {
                    while (reader.next()) {
                        reader.readValues(values, 0);
                        perTensor[reader.tensorIndex()].accept(values, 0, reader.length());
                        progress.advance(1);
                    }
                } finally {
                    progress.end();
                }
            }
            Inspection.Table table = tensorTable(tensors, settings, perTensor, t -> t.size() * Float.BYTES);
            return new Inspection(path.toString(), RlcasinoFormat.SCORES.formatName(), summary, List.of(table));
        }
    }

    private static Inspection mask(Path path, BufferAllocator allocator, Inspector.Settings settings) throws IOException {
        try (MaskFileReader reader = MaskFileReader.open(path, allocator)) {
            TensorTable tensors = reader.tensors();
            MaskFileInfo info = reader.info();
            Map<String, Long> kept = reader.summary().kept();
            long elements = tensors.totalElements();
            long totalKept = reader.summary().totalKept();
            Map<String, Object> summary = header(RlcasinoFormat.MASK, reader.metadata(), reader.provenance());
            summary.put("method", info.method());
            summary.put("parameters", info.parameters());
            summary.put("targetSparsity", info.targetSparsity());
            if (info.threshold().isPresent()) {
                summary.put("threshold", info.threshold().getAsDouble());
            }
            summary.put("achievedSparsity", reader.summary().achievedSparsity());
            summary.put("tensorCount", tensors.size());
            summary.put("elements", elements);
            summary.put("kept", totalKept);
            summary.put("density", elements == 0 ? Double.NaN : (double) totalKept / elements);
            summary.put("bytes", totalKept * Integer.BYTES);
            putBatching(summary, reader.batching());

            // Active blocks come from the block rows, read on the way to each tensor's indices;
            // a tensor without indices has no active block (every active block holds an entry).
            long[] activeBlocks = new long[tensors.size()];
            if (settings.stats()) {
                long rows = 0;
                for (long k : kept.values()) {
                    rows += Math.ceilDiv(k, reader.batching().chunkElements());
                }
                Progress progress = settings.progress(totalKept);
                progress.begin("check", rows);
                try {
                    int last = -1;
                    while (reader.nextChunk()) {
                        if (reader.tensorIndex() != last && reader.blocks() != null) {
                            activeBlocks[reader.tensorIndex()] = reader.blocks().activeBlocks();
                        }
                        last = reader.tensorIndex();
                        progress.advance(1);
                    }
                } finally {
                    progress.end();
                }
            }
            Inspection.Table table = new Inspection.Table("tensors", Inspection.columns("name", "name", "dtype", "dtype",
                    "shape", "shape", "elements", "elements", "kept", "kept", "density", "density", "bytes", "bytes",
                    "blockShape", "blocks", "activeBlocks", "active blocks", "totalBlocks", "total blocks"));
            for (int t = 0; t < tensors.size(); t++) {
                TensorInfo tensor = tensors.get(t);
                long k = kept.get(tensor.name());
                BlockShape shape = info.blockShapes().get(tensor.name());
                Long total = shape == null ? null
                        : Math.ceilDiv(tensor.matrixRows(), shape.rows()) * Math.ceilDiv(tensor.matrixColumns(), shape.columns());
                Long active = shape == null || !settings.stats() ? null : activeBlocks[t];
                table.add(tensor.name(), tensor.dtype(), tensor.shape(), tensor.size(), k,
                        tensor.size() == 0 ? Double.NaN : (double) k / tensor.size(), k * Integer.BYTES,
                        shape == null ? null : shape.toString(), active, total);
            }
            return new Inspection(path.toString(), RlcasinoFormat.MASK.formatName(), summary, List.of(table));
        }
    }

    private static Inspection metrics(Path path, BufferAllocator allocator, Inspector.Settings settings) throws IOException {
        try (MetricTableReader reader = MetricTableReader.open(path, allocator)) {
            Map<String, Object> summary = header(RlcasinoFormat.METRICS, reader.metadata(), reader.provenance());
            summary.put("properties", reader.properties());
            Map<String, String> types = new LinkedHashMap<>();
            List<Inspection.Column> columns = new ArrayList<>();
            for (MetricColumn c : reader.columns()) {
                types.put(c.name(), c.type().name().toLowerCase(Locale.ROOT));
                columns.add(new Inspection.Column(c.name(), c.name()));
            }
            summary.put("columns", types);
            Inspection.Table table = new Inspection.Table("rows", columns);
            long rows = 0;
            while (reader.next()) {
                if (rows < settings.rows()) {
                    table.add(reader.row());
                }
                rows++;
            }
            summary.put("rowCount", rows);
            summary.put("rowsShown", Math.min(rows, settings.rows()));
            return new Inspection(path.toString(), RlcasinoFormat.METRICS.formatName(), summary, List.of(table));
        }
    }

    /** What every format shows first: its contents, version and provenance. */
    private static Map<String, Object> header(RlcasinoFormat format, Map<String, String> metadata, Map<String, String> provenance) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("contents", format.contents());
        summary.put("version", Integer.parseInt(metadata.get(RlcasinoArrowFile.VERSION).trim()));
        summary.put("provenance", provenance);
        return summary;
    }

    private static void putBatching(Map<String, Object> summary, Batching batching) {
        summary.put("chunkElements", batching.chunkElements());
        summary.put("batchElements", batching.batchElements());
    }

    /** Rows of one pass over every tensor: each tensor in chunks of {@code chunkElements}. */
    private static long rowCount(TensorTable tensors, Batching batching) {
        long rows = 0;
        for (TensorInfo t : tensors.tensors()) {
            rows += Math.ceilDiv(t.size(), batching.chunkElements());
        }
        return rows;
    }

    private static TensorStatistics[] newStatistics(int n) {
        TensorStatistics[] statistics = new TensorStatistics[n];
        for (int i = 0; i < n; i++) {
            statistics[i] = new TensorStatistics();
        }
        return statistics;
    }

    /** Name, dtype, shape, elements, bytes stored, and the statistics when computed. */
    private static Inspection.Table tensorTable(TensorTable tensors, Inspector.Settings settings, TensorStatistics[] statistics,
                                                ToLongFunction<TensorInfo> bytes) {
        List<Inspection.Column> columns = Inspection.columns("name", "name", "dtype", "dtype", "shape", "shape",
                "elements", "elements", "bytes", "bytes");
        if (settings.stats()) {
            columns.addAll(TensorStatistics.COLUMNS);
        }
        Inspection.Table table = new Inspection.Table("tensors", columns);
        for (int t = 0; t < tensors.size(); t++) {
            TensorInfo tensor = tensors.get(t);
            List<Object> row = new ArrayList<>(List.of(tensor.name(), tensor.dtype(), tensor.shape(), tensor.size(),
                    bytes.applyAsLong(tensor)));
            if (settings.stats()) {
                row.addAll(statistics[t].cells());
            }
            table.add(row);
        }
        return table;
    }
}
