package org.rlcasino.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file so that it appears whole or not at all: the content goes to a temporary file in
 * the target's directory, is forced to disk, and is renamed over the target. A crash or an
 * exception while writing leaves the previous file (if any) in place and no temporary behind.
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
        private final Path temp;
        private final FileChannel channel;
        private boolean done;

        private Pending(Path target, Path temp, FileChannel channel) {
            this.target = target;
            this.temp = temp;
            this.channel = channel;
        }

        /** The final name. */
        public Path target() {
            return target;
        }

        /** The temporary file, in the target's directory. */
        public Path temp() {
            return temp;
        }

        /** Channel positioned at the end of what was written so far. */
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
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
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
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                throw new UncheckedIOException("could not delete temporary file " + temp, e);
            }
        }
    }

    private AtomicFileWriter() {}

    /** Opens a temporary file next to {@code target} (creating parent directories) for content written over many calls. */
    public static Pending begin(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
        try {
            shareLikeAnOrdinaryFile(temp, absolute);
            return new Pending(absolute, temp, FileChannel.open(temp, StandardOpenOption.WRITE));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /**
     * Temporary files are created owner-only (rw-------); the result should be readable like any
     * other output, so it takes the permissions of the file it replaces, or rw-r--r--.
     */
    private static void shareLikeAnOrdinaryFile(Path temp, Path target) throws IOException {
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
