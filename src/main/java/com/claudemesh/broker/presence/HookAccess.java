package com.claudemesh.broker.presence;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.config.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Who may call {@code POST /hook/set-status} (docs/status-model.md, "Who may call the hook"). v1
 * hook scripts carry no credential, and anyone who can guess a (pid, cwd) could hold a session's
 * messages by setting it {@code dnd}; so tokenless calls are taken only from {@code
 * HOOK_ALLOWED_CIDRS} (everything by default, as v1), and with {@code HOOK_REQUIRE_TOKEN} only from
 * the loopback. A call carrying a session's hook token is judged by the token alone, from anywhere:
 * it can only ever touch that session. The client address is {@code ops.ClientAddress}'s, so behind
 * a proxy it is the real client only when {@code TRUSTED_PROXIES} names the proxy.
 */
@Component
class HookAccess {

    enum Verdict {
        BY_TOKEN(null),
        BY_ADDRESS(null),
        TOKEN_REQUIRED("hook calls need the session's hook token (HOOK_REQUIRE_TOKEN)"),
        ADDRESS_NOT_ALLOWED("hook calls from this address need the session's hook token (HOOK_ALLOWED_CIDRS)");

        private final String message;

        Verdict(String message) {
            this.message = message;
        }

        /** The error text of a refusal. */
        String message() {
            return message;
        }

        /** The metric's reason of a refusal. */
        String reason() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final List<Cidr> allowed;
    private final boolean requireToken;

    @Autowired
    HookAccess(BrokerProperties properties) {
        this(properties.hookAllowedRanges(), properties.hookRequireToken());
    }

    HookAccess(List<Cidr> allowed, boolean requireToken) {
        this.allowed = List.copyOf(allowed);
        this.requireToken = requireToken;
    }

    Verdict decide(boolean carriesToken, String clientAddress) {
        if (carriesToken) {
            return Verdict.BY_TOKEN;
        }
        Optional<InetAddress> client = Cidr.literal(clientAddress);
        if (requireToken && !client.map(InetAddress::isLoopbackAddress).orElse(false)) {
            return Verdict.TOKEN_REQUIRED;
        }
        if (client.isEmpty() || allowed.stream().noneMatch(range -> range.contains(client.get()))) {
            return Verdict.ADDRESS_NOT_ALLOWED;
        }
        return Verdict.BY_ADDRESS;
    }
}
