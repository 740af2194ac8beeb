/**
 * Subnetwork discovery: streaming scorers over delta streams (magnitude, momentum, Fisher), mask
 * builders (exact global top-k, sampled global threshold, per-tensor, random, block) and mask
 * comparison (Jaccard against the random baseline a/(2−a)).
 */
package org.rlcasino.scoring;
