package com.claudemesh.broker.routing;

import com.claudemesh.broker.audit.AuditLog;
import com.claudemesh.broker.db.LoggableFailure;
import com.claudemesh.broker.ops.BrokerMetrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Deliveries that no session can ever be sent, such as a push that cannot be encoded as a frame.
 * Handed to the member's next session, it would fail there too and hold up everything queued behind
 * it, so it is retired like an expired one (it counts as {@code expired}, never as delivered), with
 * a {@code delivery_dropped} audit event and {@code broker_deliveries_dropped_total{reason}}.
 */
@Component
public class Undeliverable {

    public static final String UNENCODABLE = "unencodable";

    private static final Logger log = LoggerFactory.getLogger(Undeliverable.class);

    private final DeliveryStore store;
    private final AuditLog audit;
    private final BrokerMetrics metrics;
    private final Clock clock;

    Undeliverable(DeliveryStore store, AuditLog audit, BrokerMetrics metrics, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Retires the delivery of {@code push}, which the session {@code presenceId} claimed. If the
     * database does not answer, the claim is released with the session and the next one tries again.
     */
    public void drop(Push push, String presenceId, String reason) {
        metrics.deliveryDropped(reason);
        try {
            store.drop(
                    push.memberId(),
                    push.messageId(),
                    clock.instant(),
                    audit.insertOf(List.of(audit.row(new AuditLog.Event(
                            push.meshId(),
                            "delivery_dropped",
                            null,
                            push.memberId(),
                            Map.of("message_id", push.messageId(), "presence_id", presenceId, "reason", reason))))));
        } catch (DataAccessException e) {
            log.atWarn()
                    .addKeyValue("mesh_id", push.meshId())
                    .addKeyValue("presence_id", presenceId)
                    .log("Retiring an undeliverable delivery failed: {}", LoggableFailure.describe(e));
        }
    }
}
