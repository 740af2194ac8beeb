package org.rlcasino.scoring.compare;

import org.rlcasino.io.arrow.TensorInfo;

/** The overlap of two masks within one tensor. */
public record TensorOverlap(TensorInfo tensor, MaskOverlap overlap) {
    public TensorOverlap {
        if (tensor == null || overlap == null) {
            throw new IllegalArgumentException("tensor and overlap must not be null");
        }
        if (overlap.size() != tensor.size()) {
            throw new IllegalArgumentException("tensor " + tensor.name() + " has " + tensor.size() + " entries but the overlap counts "
                    + overlap.size());
        }
    }
}
