package org.rlcasino.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the paths a command reads and writes before it does any work, so that no output can
 * replace an input, a device or a directory.
 *
 * <ul>
 *   <li>An output must not be one of the inputs (compared as files: after symbolic links, and hard
 *       links by their file key), nor a file inside an input directory (a checkpoint directory's
 *       shards, {@code --steps-from DIR}'s checkpoints; two levels deep), nor another output.</li>
 *   <li>An output that exists must be a regular file: directories, character and block devices,
 *       FIFOs and sockets are refused (the atomic writer would rename its temporary over them).</li>
 *   <li>An output that is a symbolic link is <em>written through</em>: the link's final target is
 *       replaced atomically and the link stays ({@link #writeTarget}).</li>
 *   <li>The output's name must fit a file system's 255 bytes, its nearest existing ancestor must be
 *       a directory, writable and not on a read-only file system.</li>
 *   <li>An input must not be a device, FIFO or socket (reading one would hang or never end), and an
 *       input declared as a file must not be a directory. Missing inputs are left to the reader,
 *       whose message is more specific.</li>
 * </ul>
 *
 * Violations throw {@link IllegalArgumentException} with one line that names the option, the
 * path and what to do.
 *
 * <pre>{@code
 * PathGuard.create().inputFile("--deltas", deltas).outputFile("-o", out).check();
 * }</pre>
 */
public final class PathGuard {
    /** Most bytes in one file name on the usual file systems (ext4, xfs, btrfs, tmpfs, APFS, NTFS in UTF-16 units). */
    public static final int MAX_NAME_BYTES = 255;
    /** Levels below an input directory whose files count as inputs: {@code DIR/checkpoint-100/model.safetensors}. */
    static final int INPUT_DEPTH = 2;
    private static final int MAX_LINKS = 40;

    private enum Kind { INPUT_FILE, INPUT, OUTPUT_FILE, OUTPUT_DIRECTORY }

    private record Declared(Kind kind, String option, Path path) {}

    private final List<Declared> declared = new ArrayList<>();

    private PathGuard() {}

    /** An empty set of declarations. */
    public static PathGuard create() {
        return new PathGuard();
    }

    /** {@code file} (if not null) is read as a file: it must not be a directory, device, FIFO or socket. */
    public PathGuard inputFile(String option, Path file) {
        return add(Kind.INPUT_FILE, option, file);
    }

    /** {@code path} (if not null) is read as a file or a directory whose files (two levels deep) are inputs. */
    public PathGuard input(String option, Path path) {
        return add(Kind.INPUT, option, path);
    }

    /** Each of {@code paths} is read as a file or a directory, as {@link #input}. */
    public PathGuard inputs(String option, List<Path> paths) {
        if (paths != null) {
            paths.forEach(p -> input(option, p));
        }
        return this;
    }

    /** {@code file} (if not null) is written (atomically replaced). */
    public PathGuard outputFile(String option, Path file) {
        return add(Kind.OUTPUT_FILE, option, file);
    }

    /** {@code dir} (if not null) is a directory the command creates or fills: it must not hold an input. */
    public PathGuard outputDirectory(String option, Path dir) {
        return add(Kind.OUTPUT_DIRECTORY, option, dir);
    }

    private PathGuard add(Kind kind, String option, Path path) {
        if (option == null || option.isBlank()) {
            throw new IllegalArgumentException("option must name the command-line option of " + path);
        }
        if (path != null) {
            declared.add(new Declared(kind, option, path));
        }
        return this;
    }

    /**
     * Checks every declaration.
     *
     * @throws IllegalArgumentException naming the first violation
     * @throws IOException when the file system cannot be queried
     */
    public void check() throws IOException {
        // Every existing input file, by identity, with the declaration it came from.
        Map<Object, Declared> inputFiles = new HashMap<>();
        List<Path> inputPaths = new ArrayList<>();
        boolean writes = declared.stream().anyMatch(d -> d.kind() == Kind.OUTPUT_FILE || d.kind() == Kind.OUTPUT_DIRECTORY);
        for (Declared d : declared) {
            if (d.kind() == Kind.INPUT_FILE || d.kind() == Kind.INPUT) {
                collectInput(d, inputFiles, inputPaths, writes);
            }
        }
        Map<Path, Declared> outputs = new HashMap<>();
        for (Declared d : declared) {
            if (d.kind() == Kind.OUTPUT_FILE) {
                checkOutputFile(d, inputFiles, outputs);
            } else if (d.kind() == Kind.OUTPUT_DIRECTORY) {
                checkOutputDirectory(d, inputPaths, outputs);
            }
        }
    }

    private static void collectInput(Declared d, Map<Object, Declared> inputFiles, List<Path> inputPaths, boolean walk)
            throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(d.path(), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return; // the reader says what is missing, with its own hint
        }
        if (a.isOther()) {
            throw new IllegalArgumentException(d.path() + " (" + d.option() + "): is " + describeType(d.path())
                    + ", not a regular file: give the file itself (casino maps and seeks its inputs, it cannot read a stream)");
        }
        inputPaths.add(d.path().toRealPath());
        if (a.isDirectory()) {
            if (d.kind() == Kind.INPUT_FILE) {
                throw new IllegalArgumentException(d.path() + " (" + d.option() + "): is a directory; give a file");
            }
            if (!walk) {
                return; // nothing is written: its files cannot be overwritten
            }
            Files.walkFileTree(d.path(), EnumSet.of(FileVisitOption.FOLLOW_LINKS), INPUT_DEPTH, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes fa) throws IOException {
                    if (fa.isRegularFile()) {
                        inputFiles.putIfAbsent(identity(f, fa), new Declared(d.kind(), d.option(), f));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE; // unreadable or a link loop: nothing casino could read there either
                }
            });
        } else {
            inputFiles.putIfAbsent(identity(d.path(), a), d);
        }
    }

    private static void checkOutputFile(Declared d, Map<Object, Declared> inputFiles, Map<Path, Declared> outputs)
            throws IOException {
        if (d.path().toString().equals("-")) {
            throw new IllegalArgumentException(d.option() + " -: this output cannot go to standard output; give a file name");
        }
        Path target = describedWriteTarget(d);
        BasicFileAttributes a = attributesOrNull(target);
        if (a != null) {
            Declared input = inputFiles.get(identity(target, a));
            if (input != null) {
                throw new IllegalArgumentException(d.option() + " " + d.path() + " is "
                        + (input.path().equals(d.path()) ? "" : "the same file as ") + "the input " + input.option() + " "
                        + input.path() + ": writing it would destroy the input; write the output to another file");
            }
        }
        Path key = canonical(target);
        Declared other = outputs.putIfAbsent(key, d);
        if (other != null) {
            throw new IllegalArgumentException(other.option() + " " + other.path() + " and " + d.option() + " " + d.path()
                    + " name the same file; give each output its own file");
        }
    }

    private static void checkOutputDirectory(Declared d, List<Path> inputPaths, Map<Path, Declared> outputs) throws IOException {
        Path dir = d.path();
        BasicFileAttributes a = attributesOrNull(dir);
        if (a != null && !a.isDirectory()) {
            throw new IllegalArgumentException(dir + " (" + d.option() + "): is " + describeType(dir)
                    + ", not a directory; give a directory (it is created if missing)");
        }
        if (a == null) {
            checkCreatable(dir, d.option());
        }
        Path key = canonical(dir.toAbsolutePath());
        for (Path input : inputPaths) {
            if (input.startsWith(key)) {
                throw new IllegalArgumentException(d.option() + " " + dir + " holds the input " + input
                        + ": the command may replace what is in it; choose another directory");
            }
        }
        Declared other = outputs.putIfAbsent(key, d);
        if (other != null) {
            throw new IllegalArgumentException(other.option() + " " + other.path() + " and " + d.option() + " " + dir
                    + " name the same path; give each output its own");
        }
    }

    private static Path describedWriteTarget(Declared d) throws IOException {
        try {
            return writeTarget(d.path());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(d.option() + " " + e.getMessage(), e);
        }
    }

    /**
     * Where writing {@code file} lands, checked: the absolute path after following symbolic links
     * (a link is written through: its final target is replaced, the link stays). The target must
     * be a regular file or not exist; its name must fit in {@link #MAX_NAME_BYTES} bytes; its
     * nearest existing ancestor must be a writable directory on a writable file system.
     *
     * @throws IllegalArgumentException naming {@code file} and the problem
     * @throws FileSystemException for a symbolic-link loop
     */
    public static Path writeTarget(Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("output path must not be null");
        }
        Path target = file.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(target); hops++) {
            if (hops == MAX_LINKS) {
                throw new FileSystemException(file.toString(), null, "Too many levels of symbolic links");
            }
            Path link = Files.readSymbolicLink(target);
            target = target.resolveSibling(link);
        }
        Path name = target.getFileName();
        if (name == null) {
            throw new IllegalArgumentException(file + ": is a directory; give a file name");
        }
        int bytes = name.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(file + ": file name too long (" + bytes + " bytes; file systems allow "
                    + MAX_NAME_BYTES + "); give a shorter name");
        }
        BasicFileAttributes a = attributesOrNull(target);
        String via = target.equals(file.toAbsolutePath()) ? "" : " (the symbolic link's target " + target + ")";
        if (a != null && a.isDirectory()) {
            throw new IllegalArgumentException(file + via + ": is a directory; give a file name for the output, e.g. "
                    + file.resolve("out"));
        }
        if (a != null && !a.isRegularFile()) {
            throw new IllegalArgumentException(file + via + ": is " + describeType(target) + "; outputs are written to a "
                    + "temporary file renamed over the target, which casino does only for regular files: give a file path");
        }
        if (a == null) {
            checkCreatable(target, null);
        } else {
            checkWritableDirectory(target.getParent(), file);
        }
        return target;
    }

    /** The nearest existing ancestor of a path to create must be a writable directory. */
    private static void checkCreatable(Path path, String option) throws IOException {
        Path absolute = path.toAbsolutePath();
        Path ancestor = absolute.getParent();
        while (ancestor != null && attributesOrNull(ancestor) == null && !Files.isSymbolicLink(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null) {
            return;
        }
        String subject = option == null ? path.toString() : path + " (" + option + ")";
        BasicFileAttributes a = attributesOrNull(ancestor);
        if (a == null) {
            throw new IllegalArgumentException(subject + ": " + ancestor + " is a broken symbolic link; fix it or choose another path");
        }
        if (!a.isDirectory()) {
            throw new IllegalArgumentException(subject + ": " + ancestor + " is " + describeType(ancestor)
                    + ", not a directory, so nothing can be created under it; choose another path");
        }
        checkWritableDirectory(ancestor, path);
    }

    private static void checkWritableDirectory(Path dir, Path subject) throws IOException {
        if (dir == null) {
            return;
        }
        if (isReadOnlyFileSystem(dir)) {
            throw new IllegalArgumentException(subject + ": " + dir + " is on a read-only file system; write the output "
                    + "to a writable directory");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException(subject + ": permission denied: cannot create files in " + dir
                    + "; write the output to a directory you can write to");
        }
    }

    private static boolean isReadOnlyFileSystem(Path dir) {
        try {
            return Files.getFileStore(dir).isReadOnly();
        } catch (IOException | SecurityException e) {
            return false; // no mount entry found (some containers): the write itself will say
        }
    }

    /**
     * Opens nothing: checks that {@code file} exists and is a regular file, so that a reader never
     * opens a FIFO (which blocks) or a device (which never ends).
     *
     * @param what what the file should be, for the message, e.g. "a safetensors file"
     * @throws NoSuchFileException if it does not exist
     * @throws IllegalArgumentException if it is a directory, device, FIFO or socket
     */
    public static void requireRegularFile(Path file, String what) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new IllegalArgumentException(file + ": is " + describeType(file) + ", not " + what + "; give the file itself");
        }
    }

    /** "a directory", "a FIFO (named pipe)", "a character device", … : what kind of file {@code path} is (after links). */
    public static String describeType(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            if (a.isRegularFile()) {
                return "a regular file";
            }
            if (a.isDirectory()) {
                return "a directory";
            }
            Object mode = Files.getAttribute(path, "unix:mode");
            if (mode instanceof Integer m) {
                return switch (m & 0170000) {
                    case 0010000 -> "a FIFO (named pipe)";
                    case 0020000 -> "a character device";
                    case 0060000 -> "a block device";
                    case 0140000 -> "a socket";
                    default -> "not a regular file";
                };
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // fall through: the caller only needs words
        }
        return "a special file (device, FIFO or socket)";
    }

    private static BasicFileAttributes attributesOrNull(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** A file's identity: device and inode where the file system has them (hard links compare equal), else its real path. */
    private static Object identity(Path p, BasicFileAttributes a) throws IOException {
        return a.fileKey() != null ? a.fileKey() : p.toRealPath();
    }

    /** The real path of the longest existing prefix, with the rest appended: equal for two spellings of one future file. */
    private static Path canonical(Path absolute) throws IOException {
        Path existing = absolute;
        List<Path> rest = new ArrayList<>();
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            rest.addFirst(existing.getFileName());
            existing = existing.getParent();
        }
        Path result = existing == null ? absolute.getRoot() : existing.toRealPath();
        for (Path part : rest) {
            result = result.resolve(part);
        }
        return result.normalize();
    }
}
