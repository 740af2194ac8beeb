package org.rlcasino.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes a file so that it appears whole or not at all: the content goes to a temporary file in
 * the target's directory ({@link TemporaryFiles}: {@code .NAME.PID.RANDOM.tmp}), is forced to
 * disk, and is renamed over the target. A crash or an exception while writing leaves the previous
 * file (if any) in place; an exception, SIGINT or SIGTERM leaves no temporary behind, and the next
 * write of the same target removes one a kill -9 left.
 *
 * <p>The target is checked first ({@link PathGuard#writeTarget}): only a regular file is replaced
 * (never a directory, device, FIFO or socket), and a symbolic link is written through (its final
 * target is replaced, the link stays). I/O errors while writing name the target. A
 * {@link Group} commits several files together: all or none.
 */
public final class AtomicFileWriter {

    /** Produces the content of a file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * A temporary file that becomes the target on {@link #commit()}; for writers whose content
     * arrives over many calls. {@link #close()} without a commit deletes the temporary.
     */
    public static final class Pending implements AutoCloseable {
        private final Path target;
        private final TemporaryFiles.Scratch temp;
        private final FileChannel channel;
        private boolean done;

        private Pending(Path target, TemporaryFiles.Scratch temp, FileChannel channel) {
            this.target = target;
            this.temp = temp;
            this.channel = channel;
        }

        /** The final name: the absolute path after symbolic links. */
        public Path target() {
            return target;
        }

        /** The temporary file, in the target's directory. */
        public Path temp() {
            return temp.path();
        }

        /** Channel positioned at the end of what was written so far; its I/O errors name {@link #target()}. */
        public FileChannel channel() {
            return channel;
        }

        /** Forces the content to disk, closes the channel and renames the temporary over the target. */
        public void commit() throws IOException {
            if (done) {
                throw new IllegalStateException(target + ": already committed or discarded");
            }
            done = true;
            boolean moved = false;
            try {
                channel.force(true);
                channel.close();
                move(temp.path(), target);
                temp.release();
                moved = true;
            } finally {
                if (!moved) {
                    discardQuietly();
                }
            }
        }

        /** Deletes the temporary unless committed; the target is left as it was. Idempotent. */
        @Override
        public void close() {
            if (!done) {
                done = true;
                discardQuietly();
            }
        }

        private void discardQuietly() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the temporary is deleted below either way
            }
            temp.close();
        }
    }

    /**
     * Files committed together: {@link #stage} gives, for each target, a file beside it to write
     * completely (with any writer, e.g. {@link AtomicFileWriter#write} or an Arrow writer);
     * {@link #commit()} renames every staged file over its target, and if one rename fails puts
     * back the targets already replaced, so the targets change all together or not at all.
     * {@link #close()} without a commit deletes the staged files. (A kill -9 between two renames,
     * a window of microseconds, can still leave the first target new and the second old.)
     */
    public static final class Group implements AutoCloseable {
        private final List<Path> targets = new ArrayList<>();
        private final List<TemporaryFiles.Scratch> staged = new ArrayList<>();
        private boolean done;

        private Group() {}

        /** A file to write completely in place of {@code target} (checked as {@link PathGuard#writeTarget}). */
        public Path stage(Path target) throws IOException {
            if (done) {
                throw new IllegalStateException("group already committed or closed");
            }
            Path resolved = PathGuard.writeTarget(target);
            Files.createDirectories(resolved.getParent());
            TemporaryFiles.Scratch s = TemporaryFiles.create(resolved, "staged");
            targets.add(resolved);
            staged.add(s);
            return s.path();
        }

        /** Renames every staged file over its target: all or none. */
        public void commit() throws IOException {
            if (done) {
                throw new IllegalStateException("group already committed or closed");
            }
            done = true;
            int n = targets.size();
            List<TemporaryFiles.Scratch> backups = new ArrayList<>();
            int moved = 0;
            try {
                // A hard link keeps each old target (all but the last, whose rename is the last step) for a rollback.
                for (int i = 0; i < n; i++) {
                    backups.add(i < n - 1 && Files.isRegularFile(targets.get(i)) ? backup(targets.get(i)) : null);
                }
                for (int i = 0; i < n; i++) {
                    sharePermissions(staged.get(i).path(), targets.get(i));
                    move(staged.get(i).path(), targets.get(i));
                    staged.get(i).release();
                    moved++;
                }
            } catch (IOException | RuntimeException e) {
                for (int k = 0; k < moved; k++) {
                    try {
                        if (backups.get(k) != null) {
                            move(backups.get(k).path(), targets.get(k));
                            backups.get(k).release();
                        } else {
                            Files.deleteIfExists(targets.get(k));
                        }
                    } catch (IOException | RuntimeException rollback) {
                        e.addSuppressed(rollback);
                    }
                }
                throw e;
            } finally {
                staged.forEach(TemporaryFiles.Scratch::close);
                backups.forEach(b -> {
                    if (b != null) {
                        b.close();
                    }
                });
            }
        }

        private static TemporaryFiles.Scratch backup(Path target) throws IOException {
            TemporaryFiles.Scratch b = TemporaryFiles.create(target, "backup");
            try {
                Files.delete(b.path());
                try {
                    Files.createLink(b.path(), target);
                } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
                    Files.copy(target, b.path(), StandardCopyOption.COPY_ATTRIBUTES);
                }
                return b;
            } catch (IOException | RuntimeException e) {
                b.close();
                throw e;
            }
        }

        /** Deletes the staged files unless committed. Idempotent. */
        @Override
        public void close() {
            done = true;
            staged.forEach(TemporaryFiles.Scratch::close);
        }
    }

    private AtomicFileWriter() {}

    /**
     * Opens a temporary file next to {@code target} (creating parent directories) for content
     * written over many calls.
     *
     * @throws IllegalArgumentException if {@code target} is not a regular file or a new name ({@link PathGuard#writeTarget})
     */
    public static Pending begin(Path target) throws IOException {
        Path resolved = PathGuard.writeTarget(target);
        Files.createDirectories(resolved.getParent());
        TemporaryFiles.Scratch temp = TemporaryFiles.create(resolved, "tmp");
        try {
            sharePermissions(temp.path(), resolved);
            FileChannel channel = FileChannel.open(temp.path(), StandardOpenOption.WRITE);
            return new Pending(resolved, temp, new NamedFileChannel(channel, resolved));
        } catch (IOException | RuntimeException e) {
            temp.close();
            throw e;
        }
    }

    /** A group of files committed together, all or none. */
    public static Group group() {
        return new Group();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Temporary files are created with the process's default permissions (owner-only for some);
     * the result should be readable like any other output, so it takes the permissions of the
     * file it replaces, or rw-r--r--.
     */
    private static void sharePermissions(Path temp, Path target) throws IOException {
        if (!Files.getFileStore(temp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(temp, permissions);
    }

    /** Writes {@code content} to {@code target} atomically, creating parent directories. */
    public static void write(Path target, Content content) throws IOException {
        try (Pending pending = begin(target)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(pending.channel()));
            content.writeTo(out);
            out.flush();
            pending.commit();
        }
    }

    /** Writes {@code text} as UTF-8 to {@code target} atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
