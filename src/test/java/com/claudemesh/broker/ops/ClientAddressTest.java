package com.claudemesh.broker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.config.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whose address counts for the per-address limits: forwarded headers only from TRUSTED_PROXIES. */
class ClientAddressTest {

    private static ClientAddress trusting(String... ranges) {
        return new ClientAddress(List.of(ranges).stream()
                .map(range -> Cidr.parse(range).orElseThrow())
                .toList());
    }

    @Test
    void withNoTrustedProxyTheTcpPeerIsTheClient_whateverItsHeadersClaim() {
        ClientAddress none = trusting();

        assertThat(none.resolve("198.51.100.7", List.of("for=203.0.113.1"), List.of("203.0.113.2")))
                .isEqualTo("198.51.100.7");
    }

    @Test
    void aTrustedProxysXForwardedForNamesTheClient_readFromTheRight() {
        ClientAddress proxy = trusting("10.0.0.0/8");

        assertThat(proxy.resolve("10.0.0.5", List.of(), List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
        // A client may send its own X-Forwarded-For; the proxy appends the address it saw.
        assertThat(proxy.resolve("10.0.0.5", List.of(), List.of("1.2.3.4, 203.0.113.9")))
                .isEqualTo("203.0.113.9");
        // Several trusted hops: the first untrusted one from the right.
        assertThat(proxy.resolve("10.0.0.5", List.of(), List.of("203.0.113.9, 10.1.1.1", "10.2.2.2")))
                .isEqualTo("203.0.113.9");
    }

    @Test
    void forwardedTakesPrecedence_withQuotesPortsAndIpv6() {
        ClientAddress proxy = trusting("10.0.0.0/8", "fd00::/8");

        assertThat(proxy.resolve("10.0.0.5", List.of("for=198.51.100.3;proto=https"), List.of("203.0.113.9")))
                .isEqualTo("198.51.100.3");
        assertThat(proxy.resolve("fd00::1", List.of("for=\"[2001:db8::17]:4711\""), List.of()))
                .isEqualTo("2001:db8:0:0:0:0:0:17");
        assertThat(proxy.resolve("10.0.0.5", List.of("for=192.0.2.60:8080, for=10.3.3.3"), List.of()))
                .isEqualTo("192.0.2.60");
    }

    @Test
    void aTrustedProxyWithoutHeadersIsTheClient_andGarbageStopsTheWalk() {
        ClientAddress proxy = trusting("10.0.0.0/8");

        assertThat(proxy.resolve("10.0.0.5", List.of(), List.of())).isEqualTo("10.0.0.5");
        assertThat(proxy.resolve("10.0.0.5", List.of(), List.of("203.0.113.9, unknown")))
                .isEqualTo("10.0.0.5");
        assertThat(proxy.resolve("10.0.0.5", List.of(), List.of("evil.example.com")))
                .isEqualTo("10.0.0.5");
    }

    @Test
    void rangesMatchByPrefix() {
        Cidr range = Cidr.parse("172.16.0.0/12").orElseThrow();

        assertThat(range.contains(Cidr.literal("172.31.255.255").orElseThrow())).isTrue();
        assertThat(range.contains(Cidr.literal("172.32.0.1").orElseThrow())).isFalse();
        assertThat(range.contains(Cidr.literal("::1").orElseThrow())).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0")
                        .orElseThrow()
                        .contains(Cidr.literal("8.8.8.8").orElseThrow()))
                .isTrue();
        assertThat(Cidr.parse("10.0.0.0/33")).isEmpty();
        assertThat(Cidr.parse("example.com")).isEmpty();
        assertThat(Cidr.literal("256.1.1.1")).isEmpty();
    }
}
