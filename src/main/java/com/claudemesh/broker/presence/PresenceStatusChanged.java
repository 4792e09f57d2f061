package com.claudemesh.broker.presence;

/**
 * Published after a presence's status was written and committed. The session layer keeps the live
 * status in memory for gating and pushes held envelopes when the new status admits more.
 */
public record PresenceStatusChanged(String presenceId, String memberId, Status status) {}
