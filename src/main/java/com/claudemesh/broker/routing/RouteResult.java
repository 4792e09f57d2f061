package com.claudemesh.broker.routing;

/** What became of a send (PROTOCOL A.4): queued with its message id, or refused with a code. */
public sealed interface RouteResult {

    record Queued(String messageId) implements RouteResult {}

    record Refused(String code, String message) implements RouteResult {}
}
