package org.rlcasino.train.task;

/**
 * One prompt of a task and its exact answer.
 *
 * @param prompt the text the model continues, e.g. {@code "37+45="}
 * @param answer the only completion that earns reward, e.g. {@code "82"} (followed by the end token)
 */
public record Problem(String prompt, String answer) {
}
