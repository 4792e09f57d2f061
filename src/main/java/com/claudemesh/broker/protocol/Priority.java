package com.claudemesh.broker.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * The priority of an envelope (PROTOCOL A.4), as the sender chose it; a session's status decides
 * which it admits (A.7). Stored as {@code mesh.message_priority}, written in lower case on the wire.
 */
public enum Priority {
    NOW,
    NEXT,
    LOW;

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wire() {
        return wire;
    }

    public static Optional<Priority> fromWire(String value) {
        for (Priority priority : values()) {
            if (priority.wire.equals(value)) {
                return Optional.of(priority);
            }
        }
        return Optional.empty();
    }
}
