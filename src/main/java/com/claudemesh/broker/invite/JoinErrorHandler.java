package com.claudemesh.broker.invite;

import com.claudemesh.broker.db.LoggableFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** An unexpected failure of {@code /join} (the database down, for example) still answers the v1 shape. */
@RestControllerAdvice(assignableTypes = JoinController.class)
class JoinErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(JoinErrorHandler.class);

    @ExceptionHandler(Exception.class)
    ResponseEntity<JoinReply> unexpected(Exception e) {
        log.atError().addKeyValue("route", "/join").log("Join failed: {}", LoggableFailure.describe(e));
        return JoinController.reply(HttpStatus.INTERNAL_SERVER_ERROR, JoinReply.error("internal_error"));
    }
}
