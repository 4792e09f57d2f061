package com.claudemesh.broker.ops;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Unknown paths get a small JSON 404 (PROTOCOL A.12), never an HTML page; under {@code /api} it is
 * the admin API's problem shape ({@link ErrorBodies}).
 */
@RestControllerAdvice
class NotFoundHandler {

    @ExceptionHandler({NoHandlerFoundException.class, NoResourceFoundException.class})
    ResponseEntity<Map<String, Object>> notFound(HttpServletRequest request) {
        return ErrorBodies.reply(
                HttpStatus.NOT_FOUND.value(), request.getRequestURI(), Map.of("path", request.getRequestURI()));
    }
}
