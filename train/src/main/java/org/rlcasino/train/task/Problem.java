package org.rlcasino.train.task;

/**
 * One prompt of a task and its reference answer.
 *
 * @param prompt    the text the model continues, e.g. {@code "37+45="}
 * @param answer    the completion that earns reward, e.g. {@code "82"} (followed by the end token)
 * @param promptIds the prompt's token ids when the task encoded it once (datasets), else null
 * @param answerIds the answer's token ids, end token included, when the task encoded it once (datasets), else null
 */
public record Problem(String prompt, String answer, int[] promptIds, int[] answerIds) {
    /** A problem whose prompt and answer the task encodes when asked. */
    public Problem(String prompt, String answer) {
        this(prompt, answer, null, null);
    }
}
