package org.rlcasino.experiment.report;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.rlcasino.io.AtomicFileWriter;

/** Report plots (XChart, headless): each written as {@code <name>.png} and {@code <name>.svg}. */
public final class Plots {
    static final int WIDTH = 900;
    static final int HEIGHT = 540;

    private Plots() {}

    /** One line of a line plot; {@code errors} (half-widths) may be null. */
    public record Line(String name, double[] x, double[] y, double[] errors, boolean dashed) {}

    /** One bar series of a grouped bar plot, a value per category; {@code errors} may be null. */
    public record Bars(String name, List<Double> values, List<Double> errors) {}

    /** A line plot. */
    public static XYChart lines(String title, String xAxis, String yAxis, List<Line> lines) {
        headless();
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (Line l : lines) {
            XYSeries s = l.errors() == null ? chart.addSeries(l.name(), l.x(), l.y())
                    : chart.addSeries(l.name(), l.x(), l.y(), l.errors());
            if (l.dashed()) {
                s.setLineStyle(SeriesLines.DASH_DASH);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(Color.GRAY);
            }
        }
        return chart;
    }

    /** A grouped bar plot over {@code categories}. */
    public static CategoryChart bars(String title, String xAxis, String yAxis, List<String> categories, List<Bars> series) {
        headless();
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis)
                .yAxisTitle(yAxis).build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        for (Bars b : series) {
            List<Double> values = b.values().stream().map(v -> v == null || v.isNaN() ? 0.0 : v).toList();
            CategorySeries s = b.errors() == null ? chart.addSeries(b.name(), categories, values)
                    : chart.addSeries(b.name(), categories, values,
                    b.errors().stream().map(v -> v == null || v.isNaN() ? 0.0 : v).toList());
            s.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setChartTitleVisible(true);
        styler.setLegendVisible(true);
        styler.setDecimalPattern("#,##0.###");
    }

    /** Writes {@code <dir>/<name>.png} and {@code <dir>/<name>.svg} atomically. */
    public static void save(Chart<?, ?> chart, Path dir, String name) throws IOException {
        headless();
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFileWriter.write(dir.resolve(name + ".png"), out -> out.write(png));
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        byte[] bytes = svg.toByteArray();
        AtomicFileWriter.write(dir.resolve(name + ".svg"), out -> out.write(bytes));
    }

    /** Plots are drawn off-screen: set before the first AWT class loads. */
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }
}
