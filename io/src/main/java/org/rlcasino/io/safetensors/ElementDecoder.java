package org.rlcasino.io.safetensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Converts a range of a tensor's little-endian bytes into Java arrays. {@code data} is the
 * tensor's own slice; {@code elementOffset} counts elements from its start. Callers have checked
 * the ranges.
 */
final class ElementDecoder {
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ElementDecoder() {}

    /**
     * Elements {@code [elementOffset, elementOffset + count)} as floats: F32 exactly, F16 and BF16
     * exactly (every half-precision value is a float), F64 rounded to nearest, integers as
     * {@code (float) value} (exact up to 2^24), BOOL as 0 or 1.
     */
    static void toFloats(MemorySegment data, Dtype dtype, long elementOffset, float[] dst, int dstOffset, int count) {
        long base = elementOffset * dtype.byteSize();
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32_LE, base, dst, dstOffset, count);
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = Float.intBitsToFloat(data.get(I16_LE, base + 2L * i) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = Float.float16ToFloat(data.get(I16_LE, base + 2L * i));
                }
            }
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = (float) data.get(F64_LE, base + 8L * i);
                }
            }
            case I64 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = (float) data.get(I64_LE, base + 8L * i);
                }
            }
            case I32 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = (float) data.get(I32_LE, base + 4L * i);
                }
            }
            case I16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = data.get(I16_LE, base + 2L * i);
                }
            }
            case I8 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = data.get(ValueLayout.JAVA_BYTE, base + i);
                }
            }
            case U8 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = data.get(ValueLayout.JAVA_BYTE, base + i) & 0xFF;
                }
            }
            case BOOL -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = data.get(ValueLayout.JAVA_BYTE, base + i) != 0 ? 1f : 0f;
                }
            }
        }
    }

    /** Elements per block of the unfused difference. */
    private static final int BLOCK = 4096;
    private static final ThreadLocal<float[]> FLOAT_SCRATCH = ThreadLocal.withInitial(() -> new float[BLOCK]);
    private static final ThreadLocal<short[]> SHORT_SCRATCH = ThreadLocal.withInitial(() -> new short[BLOCK]);
    private static final ThreadLocal<short[]> SHORT_SCRATCH_2 = ThreadLocal.withInitial(() -> new short[BLOCK]);

    private static void bf16Difference(short[] after, short[] before, float[] dst, int at, int n) {
        for (int k = 0; k < n; k++) {
            dst[at + k] = Float.intBitsToFloat(after[k] << 16) - Float.intBitsToFloat(before[k] << 16);
        }
    }

    /**
     * {@code dst[dstOffset + i] = after[elementOffset + i] − before[elementOffset + i]}, each
     * converted to float as {@link #toFloats} does, subtracted in float32: the same values as two
     * {@code toFloats} calls and a subtraction, in one pass (fused for BF16).
     */
    static void differenceToFloats(MemorySegment after, Dtype afterType, MemorySegment before, Dtype beforeType,
                                   long elementOffset, float[] dst, int dstOffset, int count) {
        if (afterType == Dtype.BF16 && beforeType == Dtype.BF16) {
            // BF16 is the upper half of a float32. Bulk copies of the raw shorts and a plain array
            // loop: per-element MemorySegment reads are as fast only once C2 has compiled them,
            // and some 100 times slower before (interpreter, C1), which a single run feels.
            short[] a = SHORT_SCRATCH.get();
            short[] b = SHORT_SCRATCH_2.get();
            long base = elementOffset * 2;
            for (int done = 0; done < count; ) {
                int n = Math.min(BLOCK, count - done);
                MemorySegment.copy(after, I16_LE, base + 2L * done, a, 0, n);
                MemorySegment.copy(before, I16_LE, base + 2L * done, b, 0, n);
                bf16Difference(a, b, dst, dstOffset + done, n);
                done += n;
            }
            return;
        }
        float[] scratch = FLOAT_SCRATCH.get();
        for (int done = 0; done < count; ) {
            int n = Math.min(BLOCK, count - done);
            int at = dstOffset + done;
            toFloats(after, afterType, elementOffset + done, dst, at, n);
            toFloats(before, beforeType, elementOffset + done, scratch, 0, n);
            for (int k = 0; k < n; k++) {
                dst[at + k] -= scratch[k];
            }
            done += n;
        }
    }

    /**
     * Elements of an integer or BOOL tensor as longs (BOOL as 0 or 1, U8 unsigned).
     *
     * @throws IllegalArgumentException for a floating-point dtype
     */
    static void toLongs(MemorySegment data, Dtype dtype, long elementOffset, long[] dst, int dstOffset, int count) {
        long base = elementOffset * dtype.byteSize();
        switch (dtype) {
            case I64 -> MemorySegment.copy(data, I64_LE, base, dst, dstOffset, count);
            case I32 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = data.get(I32_LE, base + 4L * i);
                }
            }
            default -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = smallInt(data, dtype, base, i);
                }
            }
        }
    }

    /**
     * Elements of an integer or BOOL tensor as ints. For I64 it returns the index (relative to
     * {@code elementOffset}) of the first value outside the int range, having stopped there, or -1.
     */
    static int toInts(MemorySegment data, Dtype dtype, long elementOffset, int[] dst, int dstOffset, int count) {
        long base = elementOffset * dtype.byteSize();
        switch (dtype) {
            case I64 -> {
                for (int i = 0; i < count; i++) {
                    long v = data.get(I64_LE, base + 8L * i);
                    if (v != (int) v) {
                        return i;
                    }
                    dst[dstOffset + i] = (int) v;
                }
            }
            case I32 -> MemorySegment.copy(data, I32_LE, base, dst, dstOffset, count);
            default -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = smallInt(data, dtype, base, i);
                }
            }
        }
        return -1;
    }

    private static int smallInt(MemorySegment data, Dtype dtype, long base, int i) {
        return switch (dtype) {
            case I16 -> data.get(I16_LE, base + 2L * i);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, base + i);
            case U8 -> data.get(ValueLayout.JAVA_BYTE, base + i) & 0xFF;
            case BOOL -> data.get(ValueLayout.JAVA_BYTE, base + i) != 0 ? 1 : 0;
            default -> throw new IllegalArgumentException(dtype + " is not an integer dtype");
        };
    }
}
