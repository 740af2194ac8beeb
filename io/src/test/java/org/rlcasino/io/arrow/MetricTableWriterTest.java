package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricTableWriterTest {
    @TempDir
    Path dir;
    BufferAllocator allocator;

    static final List<MetricColumn> COLUMNS = List.of(MetricColumn.utf8("mask_a"), MetricColumn.utf8("mask_b"),
            MetricColumn.int64("step"), MetricColumn.float64("jaccard"));

    @BeforeEach
    void openAllocator() {
        allocator = new RootAllocator(64L << 20);
    }

    @AfterEach
    void closeAllocator() {
        assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
        allocator.close();
    }

    static List<List<Object>> rows(int n) {
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(Arrays.asList("magnitude@" + i, i % 3 == 0 ? null : "momentum ✓", (long) i * 10, i % 4 == 0 ? null : 1.0 / (i + 1)));
        }
        return rows;
    }

    static void write(Path file, int n, BufferAllocator allocator) throws IOException {
        try (MetricTableWriter writer = MetricTableWriter.create(file, COLUMNS, Map.of("title", "Jaccard of masks", "unit", "1"),
                Map.of("config_hash", "deadbeef"), 4, allocator)) {
            for (List<Object> row : rows(n)) {
                writer.writeRow(row.toArray());
            }
            assertThat(writer.finish()).isEqualTo(n);
        }
    }

    @Test
    void roundTripsRowsWithNullsAcrossBatches() throws IOException {
        Path file = dir.resolve("jaccard.arrow");
        write(file, 11, allocator);
        List<List<Object>> read = new ArrayList<>();
        try (MetricTableReader reader = MetricTableReader.open(file, allocator)) {
            assertThat(reader.columns()).isEqualTo(COLUMNS);
            assertThat(reader.properties()).isEqualTo(Map.of("title", "Jaccard of masks", "unit", "1"));
            assertThat(reader.provenance()).isEqualTo(Map.of("config_hash", "deadbeef"));
            assertThat(reader.columnIndex("jaccard")).isEqualTo(3);
            while (reader.next()) {
                read.add(reader.row());
                if (!reader.isNull(3)) {
                    assertThat(reader.float64(3)).isEqualTo(1.0 / (reader.int64(2) / 10 + 1));
                }
            }
        }
        assertThat(read).isEqualTo(rows(11));
    }

    @Test
    void anEmptyTableHasItsColumns() throws IOException {
        Path file = dir.resolve("empty.arrow");
        write(file, 0, allocator);
        try (MetricTableReader reader = MetricTableReader.open(file, allocator)) {
            assertThat(reader.columns()).isEqualTo(COLUMNS);
            assertThat(reader.next()).isFalse();
        }
    }

    @Test
    void misuseIsRejected() throws IOException {
        assertThatThrownBy(() -> MetricTableWriter.create(dir.resolve("x.arrow"), List.of(MetricColumn.int64("a"), MetricColumn.utf8("a")),
                Map.of(), Map.of(), allocator)).hasMessage("metric column a appears twice; names must be unique");
        try (MetricTableWriter writer = MetricTableWriter.create(dir.resolve("t.arrow"), COLUMNS, Map.of(), Map.of(), allocator)) {
            assertThatThrownBy(() -> writer.writeRow("a", "b", 1L)).hasMessage("a row needs 4 values ([mask_a, mask_b, step, jaccard]), got 3");
            assertThatThrownBy(() -> writer.writeRow("a", "b", 1.5, 0.5)).hasMessage("metric column step is int64, got Double 1.5");
            assertThatThrownBy(() -> writer.writeRow(1, "b", 1, 0.5)).hasMessage("metric column mask_a is utf8, got Integer 1");
        }
        assertThat(ArrowTestFiles.filesIn(dir)).isEmpty();
    }
}
