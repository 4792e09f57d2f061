package com.claudemesh.broker.refusal;

/** The request is well-formed but the current state does not allow it (a taken slug, an archived mesh, …). */
public abstract non-sealed class Conflict extends Refusal {

    protected Conflict(String code, String detail) {
        super(code, detail);
    }
}
