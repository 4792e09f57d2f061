package com.claudemesh.broker.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.TestPropertySource;

/**
 * The second context shape, for the tests of the limits themselves: small limits, on a broker that
 * trusts 127.0.0.1 as a proxy, so that a test picks its client's address with {@code
 * X-Forwarded-For} and the per-address limits of one test never meet another's. Every class with
 * this annotation shares one cached context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@TestPropertySource(
        properties = {
            "broker.trusted-proxies=127.0.0.1/32,::1/128",
            "broker.max-connections-per-mesh=" + LimitedBroker.MAX_CONNECTIONS_PER_MESH,
            "broker.send-rate-limit-per-min=600",
            "broker.send-rate-limit-burst=" + LimitedBroker.SEND_BURST,
            "broker.outbound-queue-frames=" + LimitedBroker.OUTBOUND_QUEUE_FRAMES,
            "broker.slow-consumer-timeout=1",
            "broker.join-rate-limit-per-ip-per-min=" + LimitedBroker.JOINS_PER_MINUTE,
            "broker.hello-rate-limit-per-ip-per-min=" + LimitedBroker.HELLOS_PER_MINUTE,
            "broker.max-pending-sockets-per-ip=" + LimitedBroker.PENDING_SOCKETS_PER_IP,
            "broker.max-sockets=" + LimitedBroker.MAX_SOCKETS,
            "broker.max-frames-per-second=" + LimitedBroker.FRAMES_PER_SECOND,
            "broker.hook-allowed-cidrs=" + LimitedBroker.HOOK_ALLOWED_CIDRS
        })
public @interface LimitedBroker {

    int MAX_CONNECTIONS_PER_MESH = 3;
    int SEND_BURST = 150;
    int OUTBOUND_QUEUE_FRAMES = 4;
    int JOINS_PER_MINUTE = 3;
    int HELLOS_PER_MINUTE = 3;
    int PENDING_SOCKETS_PER_IP = 2;
    int MAX_SOCKETS = 30;
    int FRAMES_PER_SECOND = 100;
    String HOOK_ALLOWED_CIDRS = "127.0.0.0/8,::1/128,198.51.100.0/24";
}
