package com.claudemesh.broker.session;

import com.claudemesh.broker.support.LimitedBroker;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sessions on the broker with small limits ({@link LimitedBroker}). Each socket says it was
 * forwarded for an address of its own, so the per-address limits of one socket never meet
 * another's.
 */
@LimitedBroker
abstract class LimitedSessionTestBase extends SessionTestBase {

    private static final AtomicInteger ADDRESSES = new AtomicInteger();

    @Override
    String forwardedFor() {
        int n = ADDRESSES.incrementAndGet();
        return "10." + (n >> 16 & 0xFF) + "." + (n >> 8 & 0xFF) + "." + (n & 0xFF);
    }
}
