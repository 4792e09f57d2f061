package com.claudemesh.broker.refusal;

/** The request names something that does not exist. */
public abstract non-sealed class NotFound extends Refusal {

    protected NotFound(String code, String detail) {
        super(code, detail);
    }
}
