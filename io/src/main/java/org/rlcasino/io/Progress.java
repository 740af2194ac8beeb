package org.rlcasino.io;

/**
 * Progress of a long task, reported in units the task names (elements, scores, steps): one
 * {@link #begin}, any number of {@link #advance}s, one {@link #end}; a task may run several such
 * passes one after the other. The CLI shows it as a progress bar; libraries take it as an argument
 * and report into {@link #NONE} when nobody watches.
 */
public interface Progress {
    /** A pass named {@code task} of {@code units} units starts (a previous pass, if any, has ended). */
    void begin(String task, long units);

    /** {@code units} more units are done. */
    void advance(long units);

    /** The pass is over. */
    void end();

    /** This progress with every pass shown under the name {@code task} (e.g. a scorer's name for its scoring pass). */
    default Progress named(String task) {
        Progress self = this;
        return new Progress() {
            @Override
            public void begin(String ignored, long units) {
                self.begin(task, units);
            }

            @Override
            public void advance(long units) {
                self.advance(units);
            }

            @Override
            public void end() {
                self.end();
            }
        };
    }

    /** Reports nothing. */
    Progress NONE = new Progress() {
        @Override
        public void begin(String task, long units) {}

        @Override
        public void advance(long units) {}

        @Override
        public void end() {}
    };
}
