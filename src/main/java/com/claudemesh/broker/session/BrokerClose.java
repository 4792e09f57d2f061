package com.claudemesh.broker.session;

import org.springframework.web.socket.CloseStatus;

/**
 * Every reason the broker has to close a socket (PROTOCOL A.1–A.7, A.13): the close frame it sends
 * and the reason an ended session records ({@code peer_disconnected}'s {@code reason}, the log
 * line); for a refusal, also the error frame's code. A close the peer or the network made is not
 * the broker's and is judged by {@link EndOfSession}.
 */
enum BrokerClose {
    SHUTDOWN(1001, "shutdown"),
    BINARY_FRAME(1003, "binary frames are not supported", "binary_frame"),
    // A.3's hello refusals: the error frame's code is also the close phrase.
    MALFORMED(1008, "malformed"),
    CAPACITY(1008, "capacity"),
    TIMESTAMP_SKEW(1008, "timestamp_skew"),
    BAD_SIGNATURE(1008, "bad_signature"),
    UNAUTHORIZED(1008, "unauthorized"),
    REPLAYED(1008, "replayed"),
    HELLO_TIMEOUT(1008, "hello_timeout"),
    // An open session's end.
    REVOKED(1008, "revoked"),
    MESH_ARCHIVED(1008, "mesh_archived"),
    IDLE_TIMEOUT(1008, "idle_timeout"),
    SLOW_CONSUMER(1008, "slow_consumer"),
    FLOODING(1008, "flooding"),
    TOO_BIG(1009, "message too big", "too_big"),
    /** The broker could not open the session, or its sends could not be committed. */
    INTERNAL_ERROR(1011, null, "internal_error"),
    /** A write failed while the socket was open: a broken connection, not the peer's close. */
    WRITE_FAILED(1011, null, "write_failed"),
    /** The database does not answer, or the address sends hellos too fast: the client retries. */
    TRY_AGAIN_LATER(1013, "try_again_later");

    private final CloseStatus status;
    private final String reason;

    BrokerClose(int code, String phrase) {
        this(code, phrase, phrase);
    }

    BrokerClose(int code, String phrase, String reason) {
        this.status = phrase == null ? new CloseStatus(code) : new CloseStatus(code, phrase);
        this.reason = reason;
    }

    /** The close frame. */
    CloseStatus status() {
        return status;
    }

    /** What the ended session records. */
    String reason() {
        return reason;
    }
}
