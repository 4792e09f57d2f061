package com.claudemesh.broker.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.springframework.web.socket.CloseStatus;

/**
 * What a connection's writer needs of its socket. Frames are batched: {@link #text} and {@link
 * #ping} may only fill a buffer (which goes out by itself when full), {@link #flush} writes what is
 * buffered. Only the writer calls these, one at a time.
 */
interface Socket {

    String id();

    void text(String frame) throws IOException;

    void ping(ByteBuffer payload) throws IOException;

    void flush() throws IOException;

    /** Writes what is buffered, then the close frame; the writer's orderly close. */
    void close(CloseStatus status) throws IOException;

    /** Closes at once, from any thread, dropping what is buffered: for a writer that is stuck or gone. */
    void abort(CloseStatus status);

    /** False once a close has begun, whoever began it (the peer, the network, the broker). */
    boolean isOpen();
}
