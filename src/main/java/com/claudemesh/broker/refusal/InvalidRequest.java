package com.claudemesh.broker.refusal;

/** The request itself is not acceptable: a field is missing, malformed or out of range. */
public final class InvalidRequest extends Refusal {

    /** {@code code} names the field and what is wrong with it, e.g. {@code invalid_slug}. */
    public InvalidRequest(String code, String detail) {
        super(code, detail);
    }
}
