package com.claudemesh.broker.admin;

import com.claudemesh.broker.config.BrokerProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Guards everything under {@code /api} with {@code Authorization: Bearer <BROKER_ADMIN_TOKEN>}:
 * missing → 401, wrong → 403, no token configured → 503 {@code admin_disabled}. The comparison is
 * constant-time over SHA-256 digests, so neither the content nor the length of the token leaks
 * through timing. An authorised request whose {@code Content-Type} is no concrete media type (a
 * wildcard, or text that is no media type at all) is refused with 415 here: Spring's request
 * wrapper throws on it, which would otherwise surface as a 500.
 */
@Component
class AdminTokenFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(AdminTokenFilter.class);
    private static final String BEARER = "Bearer ";

    private final byte[] tokenDigest;
    private final JsonMapper json;

    AdminTokenFilter(BrokerProperties properties, JsonMapper json) {
        this.json = json;
        this.tokenDigest =
                properties.adminTokenIfSet().map(AdminTokenFilter::sha256).orElse(null);
        if (tokenDigest == null) {
            log.warn("Admin API disabled: every /api route answers 503 until BROKER_ADMIN_TOKEN is set"
                    + " (at least 16 characters, e.g. the output of: openssl rand -hex 32)");
        }
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getServletPath();
        return !(path.equals("/api") || path.startsWith("/api/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (tokenDigest == null) {
            refuse(
                    request,
                    response,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "admin_disabled",
                    "the admin API is disabled: set BROKER_ADMIN_TOKEN and restart the broker");
            return;
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            refuse(
                    request,
                    response,
                    HttpStatus.UNAUTHORIZED,
                    "unauthorized",
                    "send Authorization: Bearer <BROKER_ADMIN_TOKEN>");
            return;
        }
        byte[] presented = sha256(header.substring(BEARER.length()).trim());
        if (!MessageDigest.isEqual(presented, tokenDigest)) {
            refuse(request, response, HttpStatus.FORBIDDEN, "forbidden", "the admin token is not valid");
            return;
        }
        if (!concreteOrAbsent(request.getContentType())) {
            refuse(
                    request,
                    response,
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Content-Type must be application/json");
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean concreteOrAbsent(String contentType) {
        if (contentType == null) {
            return true;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return !type.isWildcardType() && !type.isWildcardSubtype();
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    private void refuse(
            HttpServletRequest request, HttpServletResponse response, HttpStatus status, String code, String detail)
            throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("title", status.getReasonPhrase());
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        problem.put("code", code);
        response.setStatus(status.value());
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(json.writeValueAsString(problem));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
