package com.claudemesh.broker.refusal;

/**
 * A request the broker refuses: one of four kinds, with a stable {@link #code()} and a
 * human-readable detail ({@link #getMessage()}) that are safe to show to the client.
 */
public abstract sealed class Refusal extends RuntimeException permits InvalidRequest, NotFound, Conflict, Unavailable {

    private final String code;

    Refusal(String code, String detail) {
        super(detail);
        this.code = code;
    }

    /** Machine-readable and stable: clients and scripts branch on it. */
    public String code() {
        return code;
    }
}
