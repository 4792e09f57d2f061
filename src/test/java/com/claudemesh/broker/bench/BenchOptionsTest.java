package com.claudemesh.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    private static final Map<String, String> ENV = Map.of("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/b");

    @Test
    void scenarioDefaultsAndOverrides() {
        BenchOptions burst = BenchOptions.parse(new String[] {"burst", "--peers", "100", "--messages=1000"}, ENV);
        assertThat(burst.scenario()).isEqualTo(BenchOptions.Scenario.BURST);
        assertThat(burst.peers()).isEqualTo(100);
        assertThat(burst.messages()).isEqualTo(1000);
        assertThat(burst.window()).isEqualTo(32);
        assertThat(burst.databaseUrl()).isEqualTo("postgres://postgres@127.0.0.1:5432/b");

        BenchOptions idle = BenchOptions.parse(
                new String[] {"idle", "--sessions", "10000", "--duration", "60", "--meshes", "100"}, ENV);
        assertThat(idle.peers()).isEqualTo(10_000);
        assertThat(idle.duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(idle.meshes()).isEqualTo(100);

        BenchOptions rate = BenchOptions.parse(new String[] {"rate", "--warmup", "50", "--broker-pid", "7"}, ENV);
        BenchOptions warmup = rate.warmupRun();
        assertThat(warmup.scenario()).isEqualTo(BenchOptions.Scenario.BURST);
        assertThat(warmup.messages()).isEqualTo(50);
        assertThat(warmup.peers()).isEqualTo(rate.peers());
        assertThat(warmup.brokerPid()).isZero();
        assertThat(warmup.warmup()).isZero();
        assertThat(rate.warmupRounds()).isEqualTo(1);
        assertThat(BenchOptions.parse(new String[] {"burst", "--warmup", "50", "--warmup-rounds", "3"}, ENV)
                        .warmups())
                .extracting(BenchOptions.Warmup::label)
                .containsExactly("burst of 50 per peer", "burst of 50 per peer", "burst of 50 per peer");

        BenchOptions settled = BenchOptions.parse(
                new String[] {"rate", "--rate", "500", "--warmup-seconds", "30", "--analyze-every", "5"}, ENV);
        BenchOptions atRate = settled.rateWarmupRun();
        assertThat(atRate.scenario()).isEqualTo(BenchOptions.Scenario.RATE);
        assertThat(atRate.rate()).isEqualTo(500);
        assertThat(atRate.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(atRate.analyzeEvery()).isEqualTo(Duration.ofSeconds(5));
        assertThat(atRate.brokerPid()).isZero();
        assertThat(atRate.rateWarmup()).isZero();
        assertThat(atRate.latencyCsv()).isNull();

        BenchOptions fanOut = BenchOptions.parse(
                new String[] {"broadcast", "--broadcasts", "1000", "--warmup-broadcasts", "300", "--analyze-every", "5"
                },
                ENV);
        BenchOptions warmFanOut = fanOut.broadcastWarmupRun();
        assertThat(warmFanOut.scenario()).isEqualTo(BenchOptions.Scenario.BROADCAST);
        assertThat(warmFanOut.broadcasts()).isEqualTo(300);
        assertThat(warmFanOut.peers()).isEqualTo(fanOut.peers());
        assertThat(warmFanOut.analyzeEvery()).isEqualTo(Duration.ofSeconds(5));
        assertThat(warmFanOut.brokerPid()).isZero();
        assertThat(warmFanOut.broadcastWarmup()).isZero();
        assertThat(fanOut.warmupRun().broadcasts()).isEqualTo(1000);
        assertThat(fanOut.warmups()).extracting(BenchOptions.Warmup::label).containsExactly("300 broadcasts");
        assertThat(settled.warmups()).extracting(BenchOptions.Warmup::label).containsExactly("500/s for 30 s");

        BenchOptions sampled = BenchOptions.parse(new String[] {"rate", "--latency-csv", "/tmp/l.csv"}, ENV);
        assertThat(sampled.latencyCsv()).isEqualTo(Path.of("/tmp/l.csv"));
        assertThat(sampled.warmupRun().latencyCsv()).isNull();
    }

    @Test
    void refusesWhatWouldMeasureNothing() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"flood"}, ENV))
                .hasMessageContaining("unknown scenario");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"burst", "--bogus", "1"}, ENV))
                .hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"burst", "--meshes", "2"}, ENV))
                .hasMessageContaining("only applies to idle");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"rate"}, Map.of()))
                .hasMessageContaining("--db");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"idle", "--warmup", "10"}, ENV))
                .hasMessageContaining("idle takes none");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"burst", "--warmup-seconds", "10"}, ENV))
                .hasMessageContaining("only rate takes it");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"burst", "--warmup-rounds", "2"}, ENV))
                .hasMessageContaining("needs --warmup");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"burst", "--warmup-broadcasts", "10"}, ENV))
                .hasMessageContaining("only broadcast takes it");
    }
}
