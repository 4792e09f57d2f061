package com.claudemesh.broker.session;

/**
 * Where a {@link Connection} is in its lifecycle and, from CLOSING on, why the broker closes it. The
 * connection holds it in one atomic reference, so a peer's close racing the broker's never finds
 * CLOSING without its reason. The phases without a reason are constants, which compareAndSet
 * compares by identity.
 */
record Phase(Phase.State state, BrokerClose closedBecause) {

    enum State {
        AWAITING_HELLO,
        OPENING,
        OPEN,
        CLOSING,
        CLOSED
    }

    /** A reason exactly when CLOSING: the one case that is not one of the constants below. */
    Phase {
        if ((state == State.CLOSING) != (closedBecause != null)) {
            throw new IllegalArgumentException("a close reason belongs to CLOSING only, not " + state);
        }
    }

    static final Phase AWAITING_HELLO = new Phase(State.AWAITING_HELLO, null);
    static final Phase OPENING = new Phase(State.OPENING, null);
    static final Phase OPEN = new Phase(State.OPEN, null);
    static final Phase CLOSED = new Phase(State.CLOSED, null);

    static Phase closing(BrokerClose why) {
        return new Phase(State.CLOSING, why);
    }

    boolean ending() {
        return state == State.CLOSING || state == State.CLOSED;
    }
}
