package com.claudemesh.broker.session;

import com.claudemesh.broker.ops.BrokerMetrics;
import com.claudemesh.broker.routing.Push;
import com.claudemesh.broker.routing.Undeliverable;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What is recorded of a socket's writer (docs/delivery.md): each push written ({@code
 * broker_delivery_latency_seconds}); each failure as one JSON log line without the payload and {@code
 * broker_outbound_failures_total{stage}}; for a push that cannot be encoded, the retirement of its
 * delivery, so that no later session is handed it again. Recording changes no connection.
 */
@Component
class WriterReports {

    private static final Logger log = LoggerFactory.getLogger(WriterReports.class);

    private final BrokerMetrics metrics;
    private final Undeliverable undeliverable;

    WriterReports(BrokerMetrics metrics, Undeliverable undeliverable) {
        this.metrics = metrics;
        this.undeliverable = undeliverable;
    }

    /** The reports of one socket's writer; {@code presenceId} is null until its session is open. */
    SocketWriter.Reports of(Supplier<String> presenceId) {
        return new SocketWriter.Reports() {
            @Override
            public void pushWritten(Push push) {
                metrics.pushWritten(push.committedAt(), push.direct());
            }

            @Override
            public void pushUnencodable(Push push, RuntimeException failure) {
                WriterReports.this.pushUnencodable(presenceId.get(), push, failure);
            }

            @Override
            public void replyUnencodable(RuntimeException failure) {
                WriterReports.this.replyUnencodable(presenceId.get(), failure);
            }

            @Override
            public void writeFailed(Exception failure, boolean timedOut) {
                WriterReports.this.writeFailed(presenceId.get(), failure, timedOut);
            }
        };
    }

    private void writeFailed(String presenceId, Exception failure, boolean timedOut) {
        metrics.outboundFailure("write");
        log.atWarn()
                .addKeyValue("presence_id", presenceId)
                .addKeyValue("error", failure.getClass().getSimpleName())
                .log(timedOut ? "A write to a slow consumer timed out" : "Writing to a socket failed; closing it");
    }

    private void pushUnencodable(String presenceId, Push push, RuntimeException failure) {
        metrics.outboundFailure("encode");
        log.atError()
                .addKeyValue("mesh_id", push.meshId())
                .addKeyValue("presence_id", presenceId)
                .addKeyValue("error", failure.getClass().getSimpleName())
                .log("A push cannot be encoded; its delivery is dropped");
        undeliverable.drop(push, presenceId, Undeliverable.UNENCODABLE);
    }

    private void replyUnencodable(String presenceId, RuntimeException failure) {
        metrics.outboundFailure("encode");
        log.atError()
                .addKeyValue("presence_id", presenceId)
                .addKeyValue("error", failure.getClass().getSimpleName())
                .log("A reply cannot be encoded; it is not sent");
    }
}
