package org.rlcasino.cli;

import java.util.Locale;

import picocli.CommandLine;

/** Parses counts such as {@code 64M}, {@code 1.5M}, {@code 200k}, {@code 1G} or {@code 1000000} (decimal units). */
final class ParameterCount implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
        return parse(text);
    }

    static long parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace("_", "");
        long unit = 1;
        if (t.endsWith("K")) {
            unit = 1_000;
        } else if (t.endsWith("M")) {
            unit = 1_000_000;
        } else if (t.endsWith("G")) {
            unit = 1_000_000_000;
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        double value;
        try {
            value = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a count (examples: 64M, 1.5M, 200k, 1000000)");
        }
        double count = value * unit;
        if (Double.isNaN(count)) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a count (examples: 64M, 1.5M, 200k, 1000000)");
        }
        if (count < 0) {
            throw new CommandLine.TypeConversionException("'" + text + "' must be a count >= 0");
        }
        if (count > Long.MAX_VALUE) {
            throw new CommandLine.TypeConversionException("'" + text + "' is too large: a count must be at most "
                    + Long.MAX_VALUE + " (about 9.2e18)");
        }
        return Math.round(count);
    }
}
