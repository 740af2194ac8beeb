package org.rlcasino.tokenizers.chat;

import java.time.LocalDateTime;

/**
 * Python's {@code datetime.strftime} in the C locale, for transformers' {@code strftime_now(format)}
 * global, limited to the directives chat templates use (Llama 3.1's {@code "%d %b %Y"}, Granite's
 * {@code "%B %d, %Y"}, ...): {@code %a %A %b %B %d %H %I %j %m %M %p %S %y %Y %%}. Any other
 * directive is refused by name rather than guessed (glibc's list is long and platform-dependent).
 */
final class Strftime {
    static final String SUPPORTED = "%a %A %b %B %d %H %I %j %m %M %p %S %y %Y %%";
    /** The C locale's names (fixed, unlike the JDK's locale data). */
    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"};

    private Strftime() {}

    static String format(LocalDateTime t, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (++i >= format.length()) {
                throw new JinjaError("strftime_now: the format " + PythonValues.stringRepr(format)
                        + " ends with a lone '%'; write '%%' for a percent sign");
            }
            char d = format.charAt(i);
            switch (d) {
                case 'a' -> out.append(DAYS[t.getDayOfWeek().ordinal()], 0, 3);
                case 'A' -> out.append(DAYS[t.getDayOfWeek().ordinal()]);
                case 'b' -> out.append(MONTHS[t.getMonthValue() - 1], 0, 3);
                case 'B' -> out.append(MONTHS[t.getMonthValue() - 1]);
                case 'd' -> pad(out, t.getDayOfMonth(), 2);
                case 'H' -> pad(out, t.getHour(), 2);
                case 'I' -> pad(out, (t.getHour() + 11) % 12 + 1, 2);
                case 'j' -> pad(out, t.getDayOfYear(), 3);
                case 'm' -> pad(out, t.getMonthValue(), 2);
                case 'M' -> pad(out, t.getMinute(), 2);
                case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
                case 'S' -> pad(out, t.getSecond(), 2);
                case 'y' -> pad(out, Math.floorMod(t.getYear(), 100), 2);
                case 'Y' -> out.append(t.getYear());
                case '%' -> out.append('%');
                default -> throw new JinjaError("strftime_now: the directive %" + d + " is not supported; supported: " + SUPPORTED);
            }
        }
        return out.toString();
    }

    private static void pad(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        out.append("0".repeat(Math.max(0, width - digits.length()))).append(digits);
    }
}
