package com.claudemesh.broker.refusal;

/** The broker cannot serve the request yet; the same request may succeed later without changes. */
public abstract non-sealed class Unavailable extends Refusal {

    protected Unavailable(String code, String detail) {
        super(code, detail);
    }
}
