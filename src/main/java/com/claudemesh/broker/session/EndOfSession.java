package com.claudemesh.broker.session;

import java.util.Set;

/**
 * How a session ended (PROTOCOL A.6), decided from who closed and the close code alone: the reason
 * recorded with the ended presence, and whether the end was a completed close handshake — which
 * proves the peer read everything written before it, so what it had not yet confirmed by pong is
 * confirmed. A close by the broker never is: its reason is the broker's.
 */
record EndOfSession(String reason, boolean handshake) {

    /** Close codes that never follow a close frame of the peer: an abnormal end, not a handshake. */
    private static final Set<Integer> NOT_A_PEER_CLOSE = Set.of(1002, 1003, 1006, 1007, 1009, 1010, 1011, 1015);

    /** {@code byBroker}: why the broker closed the socket, or null when the peer or the network did. */
    static EndOfSession of(BrokerClose byBroker, int closeCode) {
        if (byBroker != null) {
            return new EndOfSession(byBroker.reason(), false);
        }
        boolean handshake = !NOT_A_PEER_CLOSE.contains(closeCode);
        return new EndOfSession(handshake ? "client_closed" : "connection_lost", handshake);
    }
}
