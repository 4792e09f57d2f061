package com.claudemesh.broker.admin;

import org.springframework.http.HttpStatus;

/** A refused admin API request: HTTP status, stable machine-readable {@code code}, human-readable detail. */
public class AdminApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;

    public AdminApiException(HttpStatus status, String code, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
    }

    public static AdminApiException badRequest(String code, String detail) {
        return new AdminApiException(HttpStatus.BAD_REQUEST, code, detail);
    }

    public static AdminApiException notFound(String code, String detail) {
        return new AdminApiException(HttpStatus.NOT_FOUND, code, detail);
    }

    public static AdminApiException conflict(String code, String detail) {
        return new AdminApiException(HttpStatus.CONFLICT, code, detail);
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }
}
