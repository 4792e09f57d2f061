package com.claudemesh.broker.ops;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Errors that Tomcat answers itself, before any controller runs — an invalid request target, an
 * encoded NUL in the path, a malformed header — get the small JSON body the rest of the broker
 * answers with ({@code {"ok":false,"error":"bad_request"}}, or the admin API's problem details when
 * the raw path is under {@code /api}) instead of Tomcat's HTML page, and never a server version or
 * stack trace. Installed as the host's error report valve ({@link TomcatErrorReports}); responses
 * that already carry a body are left alone.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public JsonErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        // A connection that can no longer be written to is not worth a report.
        AtomicBoolean writable = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, writable);
        if (!writable.get()) {
            return;
        }
        boolean admin = ErrorBodies.admin(request.getRequestURI());
        try {
            response.setContentType(admin ? ErrorBodies.PROBLEM_JSON.toString() : "application/json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.setHeader("Cache-Control", NoStoreResponses.NO_STORE);
            Writer writer = response.getReporter();
            if (writer != null) {
                // The raw path of a refused request may hold anything; it is not echoed.
                writer.write(
                        admin
                                ? JSON.writeValueAsString(ErrorBodies.problem(status, null))
                                : "{\"ok\":false,\"error\":\"" + ErrorBodies.code(status) + "\"}");
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response was committed meanwhile: nothing left to tell it
        }
    }
}
