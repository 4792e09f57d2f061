package com.claudemesh.broker.invite;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.ops.ClientAddress;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /join} with the v1 {@code {ok,…}} body on every reply (A.10). The body is read by hand
 * so that the size limit, malformed JSON and any content type still get that shape instead of a
 * Spring error page.
 */
@RestController
class JoinController {

    private final JoinService joins;
    private final JoinRateLimiter rateLimiter;
    private final JsonMapper json;
    private final int maxBytes;
    private final ClientAddress clientAddress;

    JoinController(
            JoinService joins,
            JoinRateLimiter rateLimiter,
            JsonMapper json,
            BrokerProperties properties,
            ClientAddress clientAddress) {
        this.clientAddress = clientAddress;
        this.joins = joins;
        this.rateLimiter = rateLimiter;
        this.json = json;
        this.maxBytes = properties.maxMessageBytes();
    }

    @PostMapping("/join")
    ResponseEntity<JoinReply> join(HttpServletRequest request) {
        if (!rateLimiter.tryAcquire(clientAddress.of(request))) {
            return reply(HttpStatus.TOO_MANY_REQUESTS, JoinReply.error("rate limited"));
        }
        if (request.getContentLengthLong() > maxBytes) {
            return reply(HttpStatus.CONTENT_TOO_LARGE, JoinReply.error("payload too large"));
        }
        // One byte over the limit is enough to know the body is too large, whatever it claims.
        byte[] body;
        try {
            body = request.getInputStream().readNBytes(maxBytes + 1);
        } catch (IOException e) {
            // The client stopped sending (Tomcat's read timeout) or went away: its failure, not one
            // of the broker's to log as an error. Tomcat answers 408 through the error page.
            return reply(HttpStatus.REQUEST_TIMEOUT, JoinReply.error("request body not received"));
        }
        if (body.length > maxBytes) {
            return reply(HttpStatus.CONTENT_TOO_LARGE, JoinReply.error("payload too large"));
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            return reply(HttpStatus.BAD_REQUEST, JoinReply.error("body must be a JSON object"));
        }
        JoinReply outcome = joins.join(node);
        return reply(outcome.ok() ? HttpStatus.OK : HttpStatus.BAD_REQUEST, outcome);
    }

    @RequestMapping("/join")
    ResponseEntity<JoinReply> otherMethods() {
        return reply(HttpStatus.METHOD_NOT_ALLOWED, JoinReply.error("use POST /join"));
    }

    static ResponseEntity<JoinReply> reply(HttpStatus status, JoinReply body) {
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_JSON)
                .body(body);
    }
}
