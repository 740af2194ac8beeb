package org.rlcasino.io.arrow;

/**
 * The mask of one tensor, as {@link MaskFileReader#nextTensor()} returns it.
 *
 * @param index   position in the tensor table
 * @param indices flat indices of the active entries, strictly ascending
 * @param blocks  block structure, or null if the file stores none for this tensor
 */
public record MaskTensor(int index, TensorInfo tensor, int[] indices, MaskBlocks blocks) {
}
