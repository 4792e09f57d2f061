package com.claudemesh.broker.ops;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The error bodies the broker answers with when no controller of its own does: an unknown path, a
 * method a route does not take, a request Tomcat refuses, a request body that never arrives. Each
 * keeps the shape of its surface — RFC 9457 problem details with a {@code code} under {@code /api}
 * (the admin API's, {@code admin.AdminProblemHandler}), the v1 {@code {"ok":false,"error":…}} JSON
 * everywhere else — and says nothing about the broker's internals.
 */
final class ErrorBodies {

    static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

    private ErrorBodies() {}

    /** Whether {@code path} (a request URI, decoded or raw, without its query) is the admin API's. */
    static boolean admin(String path) {
        return path != null && (path.equals("/api") || path.startsWith("/api/"));
    }

    /** {@code method_not_allowed} for 405: the status's name, so scripts can branch on it. */
    static String code(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "http_" + status : known.name().toLowerCase(Locale.ROOT);
    }

    /** The body for {@code status} on {@code path}; {@code extra} fields are added to a v1 body only. */
    static ResponseEntity<Map<String, Object>> reply(int status, String path, Map<String, Object> extra) {
        if (admin(path)) {
            return ResponseEntity.status(status).contentType(PROBLEM_JSON).body(problem(status, path));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", false);
        body.put("error", code(status));
        body.putAll(extra);
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_JSON)
                .body(body);
    }

    /** An RFC 9457 problem as the admin API writes it; {@code instance} is left out when unknown. */
    static Map<String, Object> problem(int status, String instance) {
        HttpStatus known = HttpStatus.resolve(status);
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("title", known == null ? "Error" : known.getReasonPhrase());
        problem.put("status", status);
        problem.put(
                "detail",
                status >= 500
                        ? "the broker could not complete the request; see its log"
                        : "the request was refused: "
                                + problem.get("title").toString().toLowerCase(Locale.ROOT));
        if (instance != null) {
            problem.put("instance", instance);
        }
        problem.put("code", code(status));
        return problem;
    }
}
