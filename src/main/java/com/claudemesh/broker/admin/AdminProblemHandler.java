package com.claudemesh.broker.admin;

import com.claudemesh.broker.db.LoggableFailure;
import com.claudemesh.broker.refusal.Conflict;
import com.claudemesh.broker.refusal.InvalidRequest;
import com.claudemesh.broker.refusal.NotFound;
import com.claudemesh.broker.refusal.Refusal;
import com.claudemesh.broker.refusal.Unavailable;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error of an {@link AdminApi} controller as an RFC 9457 problem detail with a {@code code}
 * property that scripts can branch on. Domain refusals ({@link Refusal}) keep their code and detail
 * and get the status of their kind: invalid 400, not found 404, conflict 409, unavailable 503.
 * Spring's own errors (unreadable body, wrong media type, …) get a code too; unexpected failures are
 * logged and answered without internals.
 */
@RestControllerAdvice(annotations = AdminApi.class)
class AdminProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(AdminProblemHandler.class);

    static ProblemDetail problem(HttpStatusCode status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setProperty("code", code);
        return problem;
    }

    /** A domain refusal: its kind decides the status; its code and detail are the problem's. */
    @ExceptionHandler(Refusal.class)
    ResponseEntity<ProblemDetail> refused(Refusal refusal) {
        HttpStatus status = statusOf(refusal);
        return ResponseEntity.status(status).body(problem(status, refusal.code(), refusal.getMessage()));
    }

    static HttpStatus statusOf(Refusal refusal) {
        return switch (refusal) {
            case InvalidRequest invalid -> HttpStatus.BAD_REQUEST;
            case NotFound notFound -> HttpStatus.NOT_FOUND;
            case Conflict conflict -> HttpStatus.CONFLICT;
            case Unavailable unavailable -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> badParameter(MethodArgumentTypeMismatchException e) {
        return ResponseEntity.badRequest()
                .body(problem(HttpStatus.BAD_REQUEST, "invalid_parameter", "'" + e.getName() + "' has the wrong type"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.atError().addKeyValue("route", "/api").log("Admin API request failed: {}", LoggableFailure.describe(e));
        return ResponseEntity.internalServerError()
                .body(problem(
                        HttpStatus.INTERNAL_SERVER_ERROR,
                        "internal_error",
                        "the broker could not complete the request; see its log"));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return ResponseEntity.badRequest()
                .body(problem(
                        HttpStatus.BAD_REQUEST,
                        "invalid_body",
                        "the request body must be a JSON object with fields of the documented types"));
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(
            Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail problem
                && (problem.getProperties() == null || !problem.getProperties().containsKey("code"))) {
            problem.setProperty("code", codeOf(statusCode));
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    private static String codeOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "http_" + status.value() : known.name().toLowerCase(Locale.ROOT);
    }
}
