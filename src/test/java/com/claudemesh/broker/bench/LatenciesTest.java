package com.claudemesh.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentilesAreNearestRank_overEverySample() {
        Latencies latencies = new Latencies();
        for (int ms = 1; ms <= 100; ms++) {
            latencies.record(0, ms * 1_000_000L);
        }

        Latencies.Summary summary = latencies.summary();

        assertThat(summary.count()).isEqualTo(100);
        assertThat(summary.p50()).isEqualTo(50.0);
        assertThat(summary.p99()).isEqualTo(99.0);
        assertThat(summary.max()).isEqualTo(100.0);
    }

    @Test
    void theCsvPlacesEachSampleAtItsStart_onTheWallClock() throws Exception {
        Latencies latencies = new Latencies();
        long origin = 5_000_000_000L;
        latencies.record(origin - 2_500_000L, origin - 500_000L);
        latencies.record(origin + 1_000_000L, origin + 31_000_000L);
        StringBuilder csv = new StringBuilder();

        latencies.writeCsv(csv, "ack", origin, 1_700_000_000_000L);

        assertThat(csv.toString()).isEqualTo("ack,1699999999997.500,2.000\nack,1700000000001.000,30.000\n");
    }
}
