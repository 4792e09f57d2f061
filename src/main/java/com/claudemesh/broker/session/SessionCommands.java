package com.claudemesh.broker.session;

import java.util.function.Consumer;

/**
 * What the frames of an open session do (PROTOCOL A.4–A.8): a {@code send} goes through the
 * socket's {@link SendPipeline} to the group commit and is answered once committed, {@code
 * set_status} is written by {@link StatusHandler}, anything else is answered with its error. None of
 * them changes the connection's state; the one outcome that ends it — sends that wait too long for
 * the database — is returned for the {@link Connection} to act on. The socket's reader only.
 */
final class SessionCommands {

    private final SendHandler sends;
    private final SendPipeline pipeline;
    private final StatusHandler statuses;
    /** Where the answers of the group commit go: they must not wait, the pipeline bounds them. */
    private final Consumer<Object> lateReplies;

    SessionCommands(SendHandler sends, StatusHandler statuses, Consumer<Object> lateReplies) {
        this.sends = sends;
        this.pipeline = new SendPipeline(sends);
        this.statuses = statuses;
        this.lateReplies = lateReplies;
    }

    /** Handles one frame, answering at once through {@code reply}; false when its send found no place in time. */
    boolean handle(OpenSession session, Frames.Inbound frame, boolean oversized, Consumer<Object> reply) {
        session.active();
        switch (frame) {
            case Frames.Send send -> {
                return pipeline.submit(session.member(), send, oversized, lateReplies);
            }
            case Frames.BadSend bad -> reply.accept(sends.refused(bad));
            case Frames.SetStatus set ->
                statuses.set(session.presence(), session.member(), set.status()).ifPresent(reply);
            case Frames.Hello hello -> reply.accept(alreadyAuthenticated());
            case Frames.BadHello bad -> reply.accept(alreadyAuthenticated());
            case Frames.Malformed malformed -> reply.accept(new Frames.Error("malformed", malformed.message()));
            case Frames.UnknownType unknown -> reply.accept(new Frames.Error("unknown_type", "unknown message type"));
        }
        return true;
    }

    private static Frames.Error alreadyAuthenticated() {
        return new Frames.Error("already_authenticated", "this session already sent hello");
    }
}
