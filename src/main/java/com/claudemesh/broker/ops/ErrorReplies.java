package com.claudemesh.broker.ops;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The error page every error the servlet container handles is forwarded to: a method a route does
 * not take (405), a request body that stops arriving (408) or whose chunked framing is broken (400),
 * an {@code Accept} no route can satisfy (406). It replaces Spring Boot's error controller, which
 * answered those with its own JSON shape ({@code timestamp}, {@code status}, {@code path}) — or with
 * an HTML page when the client asked for {@code text/html} — instead of the surface's shape
 * ({@link ErrorBodies}), and which answered a plain {@code GET /error} with a 500.
 */
@RestController
class ErrorReplies implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (!(status instanceof Integer code)) {
            // Asked for directly: /error is no resource of the broker.
            return ErrorBodies.reply(
                    HttpStatus.NOT_FOUND.value(), request.getRequestURI(), Map.of("path", request.getRequestURI()));
        }
        Object path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        int shown = code >= 400 ? code : HttpStatus.INTERNAL_SERVER_ERROR.value();
        return ErrorBodies.reply(shown, path instanceof String uri ? uri : null, Map.of());
    }
}
