package com.claudemesh.broker.presence;

import java.util.Locale;

/** Where a status came from, ranked hook 3 > manual 2 > jsonl 1 (PROTOCOL A.8). */
public enum StatusSource {
    JSONL(1),
    MANUAL(2),
    HOOK(3);

    private final int rank;

    StatusSource(int rank) {
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static StatusSource fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
