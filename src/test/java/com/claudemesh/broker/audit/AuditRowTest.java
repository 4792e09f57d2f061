package com.claudemesh.broker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** PROTOCOL Part D: audit events carry metadata only, made ready on the caller's thread. */
class AuditRowTest {

    private final AuditLog audit = new AuditLog(null, JsonMapper.builder().build(), Clock.systemUTC());

    @Test
    void partD_metadataKeysThatWouldCarrySecretsOrContentsAreRefused() {
        for (String key : AuditLog.FORBIDDEN_KEYS) {
            AuditLog.Event event = new AuditLog.Event("mesh", "message_routed", "a", "b", Map.of(key, "x"));
            assertThatThrownBy(() -> audit.row(event))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("audit metadata must not carry '" + key + "'");
        }
    }

    @Test
    void aRowHasItsOwnIdAndItsMetadataAsJson() {
        AuditLog.Event event = new AuditLog.Event("mesh", "message_routed", "a", null, Map.of("recipient_count", 3));

        AuditLog.Row first = audit.row(event);
        AuditLog.Row second = audit.row(event);

        assertThat(first.id()).isNotEqualTo(second.id());
        assertThat(first.metadata()).isEqualTo("{\"recipient_count\":3}");
        assertThat(first)
                .extracting(AuditLog.Row::meshId, AuditLog.Row::eventType, AuditLog.Row::actorPeerId)
                .containsExactly("mesh", "message_routed", "a");
        assertThat(first.targetPeerId()).isNull();
    }
}
