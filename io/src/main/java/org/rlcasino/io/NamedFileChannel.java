package org.rlcasino.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * A file channel whose I/O errors name a file: the JDK reports a full disk on a write as a bare
 * {@code IOException("No space left on device")}; through this channel it becomes a
 * {@link FileSystemException} whose file is the output the user asked for (not its temporary),
 * so the CLI can say which file could not be written. Everything else is delegated.
 */
final class NamedFileChannel extends FileChannel {
    private final FileChannel channel;
    private final Path file;

    NamedFileChannel(FileChannel channel, Path file) {
        this.channel = channel;
        this.file = file;
    }

    private IOException named(IOException e) {
        if (e instanceof FileSystemException || e instanceof ClosedChannelException || e instanceof InterruptedIOException
                || e.getMessage() == null) {
            return e;
        }
        FileSystemException n = new FileSystemException(file.toString(), null, e.getMessage());
        n.initCause(e);
        return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        try {
            return channel.read(dst);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        try {
            return channel.read(dsts, offset, length);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        try {
            return channel.write(src);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        try {
            return channel.write(srcs, offset, length);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public long position() throws IOException {
        return channel.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        channel.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        try {
            channel.truncate(size);
            return this;
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        try {
            channel.force(metaData);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        try {
            return channel.transferTo(position, count, target);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        try {
            return channel.transferFrom(src, position, count);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        try {
            return channel.read(dst, position);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        try {
            return channel.write(src, position);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return channel.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return channel.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return channel.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        channel.close();
    }
}
