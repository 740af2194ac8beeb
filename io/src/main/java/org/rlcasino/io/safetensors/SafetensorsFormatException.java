package org.rlcasino.io.safetensors;

import java.nio.file.Path;

/**
 * A file that is not a valid safetensors file or checkpoint. The message names the file, the
 * tensor when there is one, and what is wrong, e.g. {@code model.safetensors: tensor 'wte.weight':
 * shape [50257, 768] needs 154389504 bytes as F32 but data_offsets [0, 100] give 100}.
 */
public final class SafetensorsFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String tensor;

    /** A problem with {@code file} as a whole ({@code tensor} null) or with one of its tensors. */
    public SafetensorsFormatException(Path file, String tensor, String fact) {
        this(file, tensor, fact, null);
    }

    /** As {@link #SafetensorsFormatException(Path, String, String)}, with the exception that revealed it. */
    public SafetensorsFormatException(Path file, String tensor, String fact, Throwable cause) {
        super(file + ": " + (tensor == null ? "" : "tensor '" + tensor + "': ") + fact, cause);
        this.file = file;
        this.tensor = tensor;
    }

    /** The file that is wrong. */
    public Path file() {
        return file;
    }

    /** The tensor that is wrong, or null when the problem is not one tensor's. */
    public String tensor() {
        return tensor;
    }
}
