/**
 * Mask comparison: how much two masks over the same tensors overlap (intersection, union,
 * Jaccard) against what two independent random masks of the same densities would share.
 */
package org.rlcasino.scoring.compare;
