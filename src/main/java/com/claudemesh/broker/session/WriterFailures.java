package com.claudemesh.broker.session;

import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.routing.Push;
import com.claudemesh.broker.routing.Undeliverable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What is recorded when a socket's writer fails (docs/delivery.md): one JSON log line without the
 * payload, {@code broker_outbound_failures_total{stage}}, and for a push that cannot be encoded the
 * retirement of its delivery, so that no later session is handed it again.
 */
@Component
class WriterFailures {

    private static final Logger log = LoggerFactory.getLogger(WriterFailures.class);

    private final BrokerMetrics metrics;
    private final Undeliverable undeliverable;

    WriterFailures(BrokerMetrics metrics, Undeliverable undeliverable) {
        this.metrics = metrics;
        this.undeliverable = undeliverable;
    }

    void writeFailed(String presenceId, Exception failure, boolean timedOut) {
        metrics.outboundFailure("write");
        log.atWarn()
                .addKeyValue("presence_id", presenceId)
                .addKeyValue("error", failure.getClass().getSimpleName())
                .log(timedOut ? "A write to a slow consumer timed out" : "Writing to a socket failed; closing it");
    }

    void pushUnencodable(String presenceId, Push push, RuntimeException failure) {
        metrics.outboundFailure("encode");
        log.atError()
                .addKeyValue("mesh_id", push.meshId())
                .addKeyValue("presence_id", presenceId)
                .addKeyValue("error", failure.getClass().getSimpleName())
                .log("A push cannot be encoded; its delivery is dropped");
        undeliverable.drop(push, presenceId, Undeliverable.UNENCODABLE);
    }

    void replyUnencodable(String presenceId, RuntimeException failure) {
        metrics.outboundFailure("encode");
        log.atError()
                .addKeyValue("presence_id", presenceId)
                .addKeyValue("error", failure.getClass().getSimpleName())
                .log("A reply cannot be encoded; it is not sent");
    }
}
