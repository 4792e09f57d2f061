package com.claudemesh.broker.ops;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.config.Cidr;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The address of the client behind a request, for the per-address limits and the hook's allowed
 * ranges (docs/DEPLOY.md, "Trusted proxies"): the peer of the TCP connection — unless that peer is
 * one of {@code TRUSTED_PROXIES}: then the nearest address its {@code Forwarded} (RFC 7239) or, when
 * absent, {@code X-Forwarded-For} header names that is not a trusted proxy itself, read from the
 * right, where the trusted proxies appended. Anyone else's headers are ignored, so a client cannot
 * choose its own address. Addresses are read as literals, never looked up in DNS.
 */
@Component
public class ClientAddress {

    private final List<Cidr> trusted;

    @Autowired
    ClientAddress(BrokerProperties properties) {
        this(properties.trustedProxyRanges());
    }

    ClientAddress(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    public String of(HttpServletRequest request) {
        return resolve(
                request.getRemoteAddr(),
                Collections.list(request.getHeaders("Forwarded")),
                Collections.list(request.getHeaders("X-Forwarded-For")));
    }

    /** {@code forwarded} and {@code xForwardedFor}: the header lines, in the order they arrived. */
    String resolve(String peer, List<String> forwarded, List<String> xForwardedFor) {
        Optional<InetAddress> hop = Cidr.literal(peer);
        if (hop.isEmpty() || !trusted(hop.get())) {
            return hop.map(InetAddress::getHostAddress).orElse(peer);
        }
        List<String> chain = forwarded.isEmpty() ? commaSeparated(xForwardedFor) : forwardedFor(forwarded);
        InetAddress client = hop.get();
        for (int i = chain.size() - 1; i >= 0; i--) {
            Optional<InetAddress> named = Cidr.literal(withoutPort(chain.get(i)));
            if (named.isEmpty()) {
                // An entry the trusted proxy did not write properly: nothing left of it can be believed.
                break;
            }
            client = named.get();
            if (!trusted(client)) {
                break;
            }
        }
        return client.getHostAddress();
    }

    private boolean trusted(InetAddress address) {
        for (Cidr range : trusted) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> commaSeparated(List<String> lines) {
        List<String> entries = new ArrayList<>();
        for (String line : lines) {
            for (String entry : line.split(",")) {
                entries.add(entry.trim());
            }
        }
        return entries;
    }

    /** The {@code for=} values of RFC 7239 {@code Forwarded} elements, in order. */
    private static List<String> forwardedFor(List<String> lines) {
        List<String> entries = new ArrayList<>();
        for (String element : commaSeparated(lines)) {
            String value = "";
            for (String pair : element.split(";")) {
                String trimmed = pair.trim();
                if (trimmed.toLowerCase(Locale.ROOT).startsWith("for=")) {
                    value = trimmed.substring(4).replace("\"", "");
                }
            }
            entries.add(value);
        }
        return entries;
    }

    /** {@code 192.0.2.1:4711} or {@code [2001:db8::1]:4711} without the port; a bare IPv6 address stays. */
    private static String withoutPort(String entry) {
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            return close < 0 ? entry : entry.substring(0, close + 1);
        }
        int colon = entry.indexOf(':');
        return colon >= 0 && colon == entry.lastIndexOf(':') ? entry.substring(0, colon) : entry;
    }
}
