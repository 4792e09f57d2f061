package com.claudemesh.broker.session;

import com.claudemesh.broker.db.GroupCommit;
import com.claudemesh.broker.mesh.Member;
import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.routing.RouteResult;
import com.claudemesh.broker.routing.Router;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A.4 {@code send}: refusals in order — malformed and bad_priority ({@link Frames#parse} decides them),
 * too_large, rate_limited — then routing. A send the database could not take is answered {@code
 * unavailable} with its id (docs/RELIABILITY.md): never a false ack, never silence.
 */
@Component
class SendHandler {

    private static final Logger log = LoggerFactory.getLogger(SendHandler.class);

    private final Router router;
    private final SendRateLimiter limiter;
    private final BrokerMetrics metrics;

    SendHandler(Router router, SendRateLimiter limiter, BrokerMetrics metrics) {
        this.router = router;
        this.limiter = limiter;
        this.metrics = metrics;
    }

    /**
     * Answers {@code reply} exactly once: an {@code ack} after the envelope is committed (from the
     * group commit's thread), or an {@code error} with the request id (at once for a refusal).
     */
    void handle(Member sender, Frames.Send send, boolean oversized, Consumer<Object> reply) {
        if (oversized) {
            reply.accept(refuse("too_large", "the frame exceeds MAX_MESSAGE_BYTES", send.id()));
        } else if (!limiter.tryAcquire(sender.id())) {
            reply.accept(refuse("rate_limited", "too many sends, slow down", send.id()));
        } else {
            router.route(sender, send.targetSpec(), send.priority(), send.nonce(), send.ciphertext())
                    .whenComplete((result, failure) -> reply.accept(answer(send, result, failure)));
        }
    }

    /** A send the frame rules refused: answered at once, nothing stored. */
    Frames.Error refused(Frames.BadSend bad) {
        return refuse(bad.code(), bad.message(), bad.id());
    }

    private Object answer(Frames.Send send, RouteResult result, Throwable failure) {
        if (failure != null) {
            // Nothing of a failed send is stored: safe to send again.
            Throwable cause = root(failure);
            if (GroupCommit.unavailable(cause)) {
                return refuse(
                        "unavailable", "the database is unavailable; nothing was stored, send it again", send.id());
            }
            log.warn("Queueing a message failed: {}", cause.getClass().getSimpleName());
            return refuse("internal_error", "the message was not queued, send it again", send.id());
        }
        return switch (result) {
            case RouteResult.Queued queued -> new Frames.Ack(send.id(), queued.messageId());
            case RouteResult.Refused refused -> refuse(refused.code(), refused.message(), send.id());
        };
    }

    private static Throwable root(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private Frames.Error refuse(String code, String message, String id) {
        metrics.messageRejected(code);
        return new Frames.Error(code, message, id);
    }
}
