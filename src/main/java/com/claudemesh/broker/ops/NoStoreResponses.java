package com.claudemesh.broker.ops;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code Cache-Control: no-store} on every response: the broker serves no static resource, and what
 * it answers is about one request — an invite carries its token and the mesh's root key, the admin
 * API lists members and invites, {@code /health} and {@code /metrics} are only true now. No cache
 * (a proxy, a browser's disk) may keep any of it. The filter runs first, so responses that other
 * filters write themselves (the admin token check) and error pages (it runs on error dispatches
 * too) carry the header; Tomcat's own refusals get it from {@link JsonErrorReportValve}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class NoStoreResponses extends OncePerRequestFilter {

    static final String NO_STORE = "no-store";

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
        chain.doFilter(request, response);
    }
}
