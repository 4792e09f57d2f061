package com.claudemesh.broker.config;

import java.util.List;
import java.util.Locale;

/** Who may call the status hook without a token (presence.HookAccess); the start-up line names it. */
public enum HookMode {
    /** v1: from any address. */
    OPEN,
    /** From HOOK_ALLOWED_CIDRS only. */
    RESTRICTED,
    /** From the loopback only (HOOK_REQUIRE_TOKEN), and only where HOOK_ALLOWED_CIDRS allows. */
    TOKEN_REQUIRED;

    static HookMode of(List<Cidr> allowed, boolean requireToken) {
        if (requireToken) {
            return TOKEN_REQUIRED;
        }
        boolean everyIpv4 = allowed.stream().anyMatch(r -> r.prefixLength() == 0 && r.network().length == 4);
        boolean everyIpv6 = allowed.stream().anyMatch(r -> r.prefixLength() == 0 && r.network().length == 16);
        return everyIpv4 && everyIpv6 ? OPEN : RESTRICTED;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
