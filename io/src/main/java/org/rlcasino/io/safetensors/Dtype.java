package org.rlcasino.io.safetensors;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The element types this package reads and writes, named as in the safetensors header
 * ({@code "dtype": "BF16"}). All are stored little-endian; {@code BOOL} is one byte, 0 or 1.
 */
public enum Dtype {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U8(1, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    Dtype(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for F64, F32, F16 and BF16; false for the integer types and BOOL. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The name used in safetensors headers (the same as {@link #name()}). */
    public String safetensorsName() {
        return name();
    }

    /** PyTorch's name of a floating-point dtype, as config.json's {@code torch_dtype} writes it ({@code bfloat16}). */
    public String torchName() {
        return switch (this) {
            case F64 -> "float64";
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> throw new IllegalArgumentException(this + " is not a floating-point dtype with a torch_dtype name");
        };
    }

    /**
     * The floating-point dtype of a config.json {@code torch_dtype} name: float32, bfloat16, float16, float64.
     *
     * @throws IllegalArgumentException naming the name and the supported ones
     */
    public static Dtype ofTorchName(String name) {
        for (Dtype d : new Dtype[] {F32, BF16, F16, F64}) {
            if (d.torchName().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unsupported torch dtype '" + name + "' (float32, bfloat16, float16, float64)");
    }

    /**
     * The dtype with this safetensors header name (case-sensitive, as the format is).
     *
     * @throws IllegalArgumentException naming the dtype and the supported ones when it is unknown
     */
    public static Dtype parse(String safetensorsName) {
        if (safetensorsName != null) {
            for (Dtype dtype : values()) {
                if (dtype.name().equals(safetensorsName)) {
                    return dtype;
                }
            }
        }
        throw new IllegalArgumentException("unsupported dtype '" + safetensorsName + "' (supported: "
                + Arrays.stream(values()).map(Dtype::name).collect(Collectors.joining(", ")) + ")");
    }
}
