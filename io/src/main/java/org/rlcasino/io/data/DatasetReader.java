package org.rlcasino.io.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads TRL-style datasets from JSON Lines files (one JSON object per line; blank lines ignored) or
 * Parquet files (a name ending with {@code .parquet}; each row becomes the object a JSON line with its
 * values would be, the mapping in docs/training.md), or from a directory of such shards read in name
 * order: preference rows ({@code prompt}, {@code chosen},
 * {@code rejected}) for DPO and prompt rows ({@code prompt}, optionally {@code answer}) for GRPO, under
 * column names the caller may rename. A text column is a string or a list of {@code {"role", "content"}}
 * messages. A row that does not fit is reported with its file and line
 * ({@code prefs.jsonl:17: column 'chosen' is missing}; a Parquet row by its place from 1,
 * {@code prefs.parquet:row 17: …}) and either skipped (counted, the first few problems kept) or fails
 * the read, as the caller chooses. A damaged or unsupported file fails the read whole.
 */
public final class DatasetReader {
    /** The most problems a result keeps word for word (all are counted). */
    public static final int PROBLEMS_KEPT = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetReader() {}

    /** What to do with a row that does not fit. */
    public enum BadRows {
        /** Leave it out, count it and keep its problem (the first {@value #PROBLEMS_KEPT}). */
        SKIP,
        /** Stop at it: the read fails naming the file, line and problem. */
        FAIL;

        public static BadRows parse(String s) {
            return switch (s == null ? "fail" : s.toLowerCase(Locale.ROOT)) {
                case "skip" -> SKIP;
                case "fail" -> FAIL;
                default -> throw new IllegalArgumentException("badRows must be 'skip' or 'fail', got '" + s + "'");
            };
        }
    }

    /**
     * Column names (TRL's by default).
     *
     * @param answer the reference answer of a prompt row (GRPO rewards); absent from a row: no answer
     */
    public record Columns(String prompt, String chosen, String rejected, String answer) {
        public static final Columns TRL = new Columns("prompt", "chosen", "rejected", "answer");

        public Columns {
            prompt = prompt == null ? "prompt" : prompt;
            chosen = chosen == null ? "chosen" : chosen;
            rejected = rejected == null ? "rejected" : rejected;
            answer = answer == null ? "answer" : answer;
        }
    }

    /**
     * The rows read.
     *
     * @param examples the rows that fit, in file order
     * @param skipped  rows left out (only with {@link BadRows#SKIP})
     * @param problems the first {@value #PROBLEMS_KEPT} of their problems, each {@code file:line: message}
     *                 ({@code file:row N: message} for Parquet)
     */
    public record Result<T>(List<T> examples, int skipped, List<String> problems) {
        public Result {
            examples = List.copyOf(examples);
            problems = List.copyOf(problems);
        }
    }

    /** A row that does not fit: the message says why, the caller adds where. */
    private static final class BadRow extends RuntimeException {
        BadRow(String message) {
            super(message, null, false, false);
        }
    }

    /** Preference rows (DPO). An implicit prompt (no prompt column, chosen and rejected conversations) is split off. */
    public static Result<PreferenceExample> preferences(Path file, Columns columns, BadRows badRows) throws IOException {
        return read(file, badRows, (where, node) -> {
            DatasetText chosen = text(node, columns.chosen(), true);
            DatasetText rejected = text(node, columns.rejected(), true);
            DatasetText prompt = text(node, columns.prompt(), false);
            if (prompt == null) {
                if (!(chosen instanceof DatasetText.Conversation c) || !(rejected instanceof DatasetText.Conversation r)) {
                    throw new BadRow("column '" + columns.prompt() + "' is missing (an implicit prompt needs chosen and rejected "
                            + "as conversations sharing their first messages)");
                }
                int shared = 0;
                while (shared < c.messages().size() - 1 && shared < r.messages().size() - 1
                        && c.messages().get(shared).equals(r.messages().get(shared))) {
                    shared++;
                }
                if (shared == 0) {
                    throw new BadRow("column '" + columns.prompt() + "' is missing and chosen and rejected share no first message "
                            + "to take as the prompt");
                }
                prompt = new DatasetText.Conversation(c.messages().subList(0, shared));
                chosen = new DatasetText.Conversation(c.messages().subList(shared, c.messages().size()));
                rejected = new DatasetText.Conversation(r.messages().subList(shared, r.messages().size()));
            }
            if (prompt.conversational() != chosen.conversational() || chosen.conversational() != rejected.conversational()) {
                throw new BadRow("prompt, chosen and rejected must be all strings or all conversations");
            }
            return new PreferenceExample(where, prompt, chosen, rejected);
        });
    }

    /** Prompt rows (GRPO), with the answer column's value as text where the row has one. */
    public static Result<PromptExample> prompts(Path file, Columns columns, BadRows badRows) throws IOException {
        return read(file, badRows, (where, node) -> {
            DatasetText prompt = text(node, columns.prompt(), true);
            JsonNode a = node.get(columns.answer());
            String answer = null;
            if (a != null && !a.isNull()) {
                if (!a.isValueNode()) {
                    throw new BadRow("column '" + columns.answer() + "' must be a string or a number, got " + kind(a));
                }
                answer = a.asText();
            }
            return new PromptExample(where, prompt, answer);
        });
    }

    private interface RowParser<T> {
        T parse(String where, JsonNode node);
    }

    private static <T> Result<T> read(Path dataset, BadRows badRows, RowParser<T> parser) throws IOException {
        List<T> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int skipped = 0;
        for (Path file : files(dataset)) {
            try (DatasetRows rows = open(file)) {
                while (rows.next()) {
                    String where = rows.where(rows.row());
                    try {
                        out.add(parser.parse(file + where, rows.node()));
                    } catch (BadRow e) {
                        if (badRows == BadRows.FAIL) {
                            throw new IllegalArgumentException(file + where + ": " + e.getMessage()
                                    + " (set the data section's badRows to \"skip\" to leave such rows out)");
                        }
                        skipped++;
                        if (problems.size() < PROBLEMS_KEPT) {
                            problems.add(file.getFileName() + where + ": " + e.getMessage());
                        }
                    }
                }
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException(file + ": no such dataset file");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(dataset + ": no usable row" + (skipped > 0 ? " (" + skipped + " skipped; first: "
                    + problems.getFirst() + ")" : " (the file is empty)"));
        }
        return new Result<>(out, skipped, problems);
    }

    /**
     * The files of a dataset: the file itself, or, for a directory (a dataset in shards, as Hugging Face
     * stores them: train-00000-of-00002.parquet …), its {@code .jsonl} and {@code .parquet} files in
     * name order, all of one format.
     */
    static List<Path> files(Path dataset) throws IOException {
        if (!Files.isDirectory(dataset)) {
            return List.of(dataset);
        }
        List<Path> files;
        try (var list = Files.list(dataset)) {
            files = list.filter(Files::isRegularFile).filter(f -> {
                String name = f.getFileName().toString();
                return !name.startsWith(".") && (name.endsWith(".jsonl") || ParquetFile.named(f));
            }).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(dataset + ": a directory without .jsonl or .parquet files; give a dataset file, or "
                    + "a directory of its shards");
        }
        if (files.stream().map(ParquetFile::named).distinct().count() > 1) {
            throw new IllegalArgumentException(dataset + ": holds both .jsonl and .parquet files; a directory is read as the shards "
                    + "of one dataset, so keep one format in it");
        }
        return files;
    }

    /** The file's rows: Parquet when its name ends with {@code .parquet}, else JSON Lines. */
    private static DatasetRows open(Path file) throws IOException {
        if (ParquetFile.named(file)) {
            return ParquetRows.open(file);
        }
        if (ParquetFile.startsWithMagic(file)) {
            throw new IllegalArgumentException(file + ": a Parquet file (it starts with PAR1) whose name does not end with "
                    + ".parquet; rename it to read it as Parquet");
        }
        return new JsonLines(file);
    }

    /** A JSON Lines file: one object per line; blank lines are skipped but counted. */
    private static final class JsonLines implements DatasetRows {
        private final BufferedReader in;
        private String line;
        private long row;

        JsonLines(Path file) throws IOException {
            in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        }

        @Override
        public boolean next() throws IOException {
            do {
                line = in.readLine();
                if (line == null) {
                    return false;
                }
                row++;
            } while (line.isBlank());
            return true;
        }

        @Override
        public long row() {
            return row;
        }

        @Override
        public JsonNode node() {
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new BadRow("not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (node == null || !node.isObject()) {
                throw new BadRow("a row must be a JSON object, got " + kind(node));
            }
            return node;
        }

        @Override
        public String where(long row) {
            return ":" + row;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** The text in column {@code name}: a string, or a list of messages; null when absent and not required. */
    private static DatasetText text(JsonNode row, String name, boolean required) {
        JsonNode v = row.get(name);
        if (v == null || v.isNull()) {
            if (required) {
                List<String> names = new ArrayList<>();
                for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                throw new BadRow("column '" + name + "' is missing (columns: " + String.join(", ", names) + ")");
            }
            return null;
        }
        if (v.isTextual()) {
            return new DatasetText.Plain(v.asText());
        }
        if (!v.isArray()) {
            throw new BadRow("column '" + name + "' must be a string or a list of messages, got " + kind(v));
        }
        if (v.isEmpty()) {
            throw new BadRow("column '" + name + "' is an empty conversation");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode m = v.get(i);
            if (!m.isObject() || !m.path("role").isTextual() || m.path("role").asText().isBlank() || !m.path("content").isTextual()) {
                throw new BadRow("column '" + name + "' message " + i + " must be {\"role\": string, \"content\": string}");
            }
            messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        return new DatasetText.Conversation(messages);
    }

    private static String kind(JsonNode n) {
        return n == null ? "nothing" : n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
