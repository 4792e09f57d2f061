package com.claudemesh.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Wake-up payloads stay under PostgreSQL's 8000-byte notification limit and lose no member. */
class DeliveryWakeUpsTest {

    @Test
    void manyMemberIdsAreSplitIntoPayloadsUnderTheLimit() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            ids.add("member-" + i + "-0123456789abcdef");
        }

        List<String> payloads = DeliveryWakeUps.payloads(ids);

        assertThat(payloads).hasSizeGreaterThan(1);
        assertThat(payloads).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(7_000));
        List<String> back = new ArrayList<>();
        payloads.forEach(p -> back.addAll(List.of(p.split(","))));
        assertThat(back).isEqualTo(ids);
        assertThat(DeliveryWakeUps.payloads(List.of())).isEmpty();
    }
}
