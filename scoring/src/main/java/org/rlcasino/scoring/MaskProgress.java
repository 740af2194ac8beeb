package org.rlcasino.scoring;

/** Progress of the streaming passes of a mask builder; units are scores. */
public interface MaskProgress {
    void begin(String phase, long units);

    void advance(long units);

    void end();

    /** Reports nothing. */
    MaskProgress NONE = new MaskProgress() {
        @Override
        public void begin(String phase, long units) {}

        @Override
        public void advance(long units) {}

        @Override
        public void end() {}
    };
}
