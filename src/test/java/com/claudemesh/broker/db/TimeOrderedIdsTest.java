package com.claudemesh.broker.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** RFC 9562 version 7: the ids of rows made at message rate sort by their creation. */
class TimeOrderedIdsTest {

    private static final Instant NOW = Instant.parse("2026-12-03T16:00:00.123Z");

    @Test
    void anIdIsAVersion7Uuid_itsFirst48BitsTheMillisecondItWasMadeIn() {
        UUID id = UUID.fromString(TimeOrderedIds.next(NOW));

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(NOW.toEpochMilli());
    }

    @Test
    void anIdOfALaterMillisecondSortsAfter_asTextTheWayTheIndexComparesIt() {
        for (int i = 0; i < 1_000; i++) {
            String earlier = TimeOrderedIds.next(NOW);
            String later = TimeOrderedIds.next(NOW.plusMillis(1));

            assertThat(later).isGreaterThan(earlier);
        }
    }

    @Test
    void idsOfOneMillisecondDifferInTheirRandomBits() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(TimeOrderedIds.next(NOW));
        }

        assertThat(ids).hasSize(100_000);
    }
}
