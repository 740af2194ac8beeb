package org.rlcasino.io.inspect;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InspectionReportTest {
    @Test
    void numbersHaveSixSignificantDigitsAndUndefinedIsADash() {
        assertThat(InspectionReport.number(0.1f)).isEqualTo("0.1");
        assertThat(InspectionReport.number(-0.125)).isEqualTo("-0.125");
        assertThat(InspectionReport.number(1 / 3.0)).isEqualTo("0.333333");
        assertThat(InspectionReport.number(1.5e-7)).isEqualTo("1.5e-07");
        assertThat(InspectionReport.number(2e9)).isEqualTo("2e+09");
        assertThat(InspectionReport.number(-0.0)).isEqualTo("0");
        assertThat(InspectionReport.number(Double.NaN)).isEqualTo("-");
        assertThat(InspectionReport.cell(1234567L)).isEqualTo("1,234,567");
        assertThat(InspectionReport.cell(new long[] {2, 3})).isEqualTo("[2, 3]");
        assertThat(InspectionReport.words("achievedSparsity")).isEqualTo("achieved sparsity");
    }

    @Test
    void textAlignsColumnsAndJsonWritesNullForUndefined() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("tensorCount", 2);
        summary.put("metadata", Map.of("camelKey", "kept as is"));
        Inspection.Table table = new Inspection.Table("tensors", Inspection.columns("name", "name", "mean", "mean"));
        table.add("a", 0.5);
        table.add("long.name", Double.NaN);
        Inspection inspection = new Inspection("f.safetensors", "safetensors", summary, List.of(table));

        assertThat(InspectionReport.text(inspection)).isEqualTo("""
                f.safetensors: safetensors
                  tensor count  2
                  metadata
                    camelKey  kept as is
                  tensors
                    name       mean
                    a           0.5
                    long.name     -
                """);
        assertThat(InspectionReport.json(List.of(inspection)))
                .contains("\"tensorCount\" : 2", "\"camelKey\" : \"kept as is\"", "\"mean\" : 0.5", "\"mean\" : null");
    }
}
