package org.rlcasino.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code bin/casino …} command written in the README and in docs/ still names a subcommand
 * that exists and options that subcommand has; a command with concrete arguments (no
 * {@code [optional]} parts, {@code …} or UPPER-CASE placeholders, not a bare mention of the
 * subcommand) must parse as a whole. So the
 * docs cannot silently rot when a command or option is renamed.
 */
class DocumentedCommandsTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern INLINE = Pattern.compile("`(bin/casino [^`]*)`");
    /** Placeholders in synopses: CONFIG, DIR, T, CKPT0, A.arrow is concrete. */
    private static final Pattern PLACEHOLDER = Pattern.compile("[A-Z][A-Z0-9_]*");

    record Documented(Path file, int line, String command) {
        @Override
        public String toString() {
            return ROOT.relativize(file) + ":" + line + ": " + command;
        }
    }

    static List<Documented> documentedCommands() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Documented> out = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            boolean inCode = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("```")) {
                    inCode = !inCode;
                    continue;
                }
                if (inCode) {
                    String s = line.strip();
                    int at = s.indexOf("bin/casino ");
                    if (at >= 0 && (at == 0 || s.substring(0, at).matches(".*(&&|;|\\$)\\s*"))) {
                        StringBuilder command = new StringBuilder(s.substring(at));
                        int j = i;
                        while (command.toString().endsWith("\\") && j + 1 < lines.size()) {
                            command.setLength(command.length() - 1);
                            command.append(' ').append(lines.get(++j).strip());
                        }
                        out.add(new Documented(file, i + 1, command.toString()));
                    }
                } else {
                    Matcher m = INLINE.matcher(line);
                    while (m.find()) {
                        out.add(new Documented(file, i + 1, m.group(1)));
                    }
                }
            }
        }
        return out;
    }

    /** Shell words of a command up to a comment, pipe, redirection or command separator. */
    static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)").matcher(command);
        while (m.find()) {
            String w = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            if (m.group(3) != null && (w.startsWith("#") || w.equals("|") || w.startsWith(">") || w.startsWith("2>")
                    || w.equals("&&") || w.equals(";") || w.equals("\\"))) {
                break;
            }
            words.add(w);
        }
        return words;
    }

    @Test
    void everyDocumentedCommandExistsWithItsOptions() throws IOException {
        List<Documented> commands = documentedCommands();
        assertThat(commands).hasSizeGreaterThan(40);
        List<String> problems = new ArrayList<>();
        int parsedWhole = 0;
        for (Documented d : commands) {
            List<String> args = words(d.command());
            args = args.subList(1, args.size()); // bin/casino
            if (args.isEmpty() || args.getFirst().equals("jmh") || args.getFirst().startsWith("-") && args.contains("…")) {
                continue; // the launcher's own forms (bin/casino jmh, bin/casino --backend tornado …)
            }
            CommandLine cli = new CommandLine(new Casino());
            CommandSpec spec = cli.getCommandSpec();
            int k = 0;
            while (k < args.size() && spec.subcommands().containsKey(args.get(k))) {
                spec = spec.subcommands().get(args.get(k)).getCommandSpec();
                k++;
            }
            if (k == 0 && !args.getFirst().startsWith("-")) {
                problems.add(d + "  (no subcommand '" + args.getFirst() + "')");
                continue;
            }
            boolean synopsis = k == args.size(); // a mention of the command in prose ('`bin/casino run` writes …')
            for (String a : args.subList(k, args.size())) {
                String word = a.replace("[", "").replace("]", "");
                synopsis |= !word.equals(a) || a.contains("…") || a.contains("...") || PLACEHOLDER.matcher(word).matches();
                if (word.startsWith("-") && !word.equals("-") && !word.matches("-?[0-9.]+")) {
                    String name = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
                    if (spec.findOption(name) == null) {
                        problems.add(d + "  (" + spec.qualifiedName() + " has no option " + name + ")");
                    }
                }
            }
            if (!synopsis) {
                try {
                    new CommandLine(new Casino()).parseArgs(args.toArray(new String[0]));
                    parsedWhole++;
                } catch (CommandLine.ParameterException e) {
                    problems.add(d + "  (" + e.getMessage() + ")");
                }
            }
        }
        assertThat(problems).as("documented commands that no longer parse").isEmpty();
        assertThat(parsedWhole).isGreaterThan(20);
    }
}
