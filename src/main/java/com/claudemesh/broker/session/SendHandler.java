package com.claudemesh.broker.session;

import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.routing.RouteResult;
import com.claudemesh.broker.routing.Router;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;
import tools.jackson.databind.JsonNode;

/** A.4 {@code send}: refusals in order (malformed, bad_priority, too_large, rate_limited), then routing. */
@Component
class SendHandler {

    private static final Set<String> PRIORITIES = Set.of("now", "next", "low");
    private static final Logger log = LoggerFactory.getLogger(SendHandler.class);

    private final Router router;
    private final SendRateLimiter limiter;
    private final BrokerMetrics metrics;

    SendHandler(Router router, SendRateLimiter limiter, BrokerMetrics metrics) {
        this.router = router;
        this.limiter = limiter;
        this.metrics = metrics;
    }

    /** The reply to send: an {@code ack} after the envelope is committed, or an {@code error} with the request id. */
    Object handle(Member sender, JsonNode body, boolean oversized) {
        Frames.Send send = Frames.Send.from(body);
        if (!send.complete()) {
            return refuse("malformed", "send needs string targetSpec, priority, nonce and ciphertext", send.id());
        }
        if (!PRIORITIES.contains(send.priority())) {
            return refuse("bad_priority", "priority must be now, next or low", send.id());
        }
        if (oversized) {
            return refuse("too_large", "the frame exceeds MAX_MESSAGE_BYTES", send.id());
        }
        if (!limiter.tryAcquire(sender.id())) {
            return refuse("rate_limited", "too many sends, slow down", send.id());
        }
        RouteResult result;
        try {
            result = router.route(sender, send.targetSpec(), send.priority(), send.nonce(), send.ciphertext());
        } catch (DataAccessException | CannotCreateTransactionException e) {
            // A transaction that could not start (no pooled connection) stored nothing: safe to resend.
            log.warn("Queueing a message failed: {}", e.getClass().getSimpleName());
            return new Frames.Error("internal_error", "the message was not queued, send it again", send.id());
        }
        return switch (result) {
            case RouteResult.Queued queued -> new Frames.Ack(send.id(), queued.messageId());
            case RouteResult.Refused refused -> refuse(refused.code(), refused.message(), send.id());
        };
    }

    private Frames.Error refuse(String code, String message, String id) {
        metrics.messageRejected(code);
        return new Frames.Error(code, message, id);
    }
}
