package com.claudemesh.broker.presence;

import com.claudemesh.broker.protocol.Priority;
import java.util.Locale;
import java.util.Optional;

/** A session's work status (PROTOCOL A.7, A.8) and which priorities it admits. */
public enum Status {
    IDLE,
    WORKING,
    DND;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Status> fromWire(String value) {
        for (Status status : values()) {
            if (status.wire().equals(value)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }

    /** A.7: idle takes everything; working and dnd take only {@code now}. */
    public boolean admits(Priority priority) {
        return this == IDLE || priority == Priority.NOW;
    }
}
