package org.rlcasino.io.arrow;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A write-behind channel: {@link #write} copies the bytes into one of a few fixed blocks and a
 * background thread writes full blocks to the underlying channel in order, so the file system's
 * copy (and its page allocation) overlaps the producer's work on a second core. Memory stays at
 * {@code BLOCKS × BLOCK_BYTES}. An I/O error of the background thread is thrown by the next
 * {@link #write} or {@link #drain}. Closing does not close the underlying channel.
 */
final class AsyncWriteChannel implements WritableByteChannel {
    static final int BLOCK_BYTES = 2 << 20;
    static final int BLOCKS = 4;
    private static final ByteBuffer STOP = ByteBuffer.allocate(0);

    private final WritableByteChannel target;
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BLOCKS);
    /** Full blocks to write, in order; {@link #STOP} ends the thread. */
    private final BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(BLOCKS + 1);
    private final Thread thread;
    private volatile IOException failure;
    private ByteBuffer current;
    private boolean open = true;

    AsyncWriteChannel(WritableByteChannel target, String name) {
        this.target = target;
        for (int i = 0; i < BLOCKS; i++) {
            free.add(ByteBuffer.allocateDirect(BLOCK_BYTES));
        }
        this.thread = Thread.ofPlatform().daemon().name("casino-writer " + name).unstarted(this::run);
        thread.start();
    }

    private void run() {
        while (true) {
            ByteBuffer block;
            try {
                block = full.take();
            } catch (InterruptedException e) {
                return;
            }
            if (block == STOP) {
                return;
            }
            try {
                if (failure == null) {
                    while (block.hasRemaining()) {
                        target.write(block);
                    }
                }
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e);
            } finally {
                block.clear();
                free.add(block);
            }
        }
    }

    private void checkFailure() throws IOException {
        IOException e = failure;
        if (e != null) {
            throw new IOException("writing failed: " + e.getMessage(), e);
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        checkFailure();
        int written = src.remaining();
        while (src.hasRemaining()) {
            if (current == null) {
                current = take(free);
            }
            int n = Math.min(src.remaining(), current.remaining());
            current.put(current.position(), src, src.position(), n);
            current.position(current.position() + n);
            src.position(src.position() + n);
            if (!current.hasRemaining()) {
                submitCurrent();
            }
        }
        return written;
    }

    private void submitCurrent() throws IOException {
        if (current != null) {
            current.flip();
            put(current);
            current = null;
        }
    }

    /** Hands over what is buffered and waits until the background thread has written everything. */
    void drain() throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        submitCurrent();
        // every block back in the free queue means every block was written
        ByteBuffer[] blocks = new ByteBuffer[BLOCKS];
        for (int i = 0; i < BLOCKS; i++) {
            blocks[i] = take(free);
        }
        for (ByteBuffer b : blocks) {
            free.add(b);
        }
        checkFailure();
    }

    private static ByteBuffer take(BlockingQueue<ByteBuffer> queue) throws IOException {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
    }

    private void put(ByteBuffer block) throws IOException {
        try {
            full.put(block);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Stops the background thread (after it finishes the blocks handed over); what is still buffered is dropped. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        current = null;
        boolean interrupted = false;
        while (true) {
            try {
                full.put(STOP);
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
