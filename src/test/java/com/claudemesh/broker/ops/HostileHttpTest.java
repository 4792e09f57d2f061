package com.claudemesh.broker.ops;

import static com.claudemesh.broker.support.HostileInput.deepNesting;
import static com.claudemesh.broker.support.HostileInput.edgeString;
import static com.claudemesh.broker.support.HostileInput.hugeNumber;
import static com.claudemesh.broker.support.HostileInput.invalidJson;
import static com.claudemesh.broker.support.HostileInput.jsonString;
import static com.claudemesh.broker.support.HostileInput.letters;
import static com.claudemesh.broker.support.HostileInput.notAnObjectWithAStringType;
import static com.claudemesh.broker.support.HostileInput.pick;
import static com.claudemesh.broker.support.HostileInput.storableEdgeString;
import static org.assertj.core.api.Assertions.assertThat;

import com.claudemesh.broker.config.BrokerProperties;
import com.claudemesh.broker.crypto.Ed25519;
import com.claudemesh.broker.mesh.AdminApiTestBase;
import com.claudemesh.broker.support.HostileInput;
import com.claudemesh.broker.support.StoredRows;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 12, item 6 — hostile HTTP input on {@code /join} (A.10), {@code /hook/set-status} (A.9) and
 * every admin route (README "Admin API"), as properties over many seeded cases ({@link
 * HostileInput}): a client error is never a 5xx, no body carries a stack trace or an exception or
 * class name, every body keeps its surface's shape — v1 {@code {ok,error}} JSON for /join and the
 * hook, RFC 9457 problem+json with a {@code code} for /api — and a request that is refused stores
 * nothing.
 */
class HostileHttpTest extends AdminApiTestBase {

    /** Words that only a stack trace, an exception or a framework error page would put in a body. */
    private static final List<String> INTERNALS = List.of(
            "exception", "at com.", "org.springframework", "java.", "jakarta.", "tomcat", "<html", "whitelabel");

    private static final int CASES = 120;

    enum Surface {
        V1,
        API
    }

    /** A route, with {@code {id}} and {@code {member}} where its path takes ids. */
    record Route(String method, String path, Surface surface) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static final List<Route> ADMIN_ROUTES = List.of(
            new Route("POST", "/api/meshes", Surface.API),
            new Route("GET", "/api/meshes", Surface.API),
            new Route("GET", "/api/meshes/{id}", Surface.API),
            new Route("POST", "/api/meshes/{id}/archive", Surface.API),
            new Route("POST", "/api/meshes/{id}/invites", Surface.API),
            new Route("GET", "/api/meshes/{id}/invites", Surface.API),
            new Route("POST", "/api/invites/{id}/revoke", Surface.API),
            new Route("GET", "/api/meshes/{id}/members", Surface.API),
            new Route("POST", "/api/meshes/{id}/members/{member}/revoke", Surface.API),
            new Route("POST", "/api/admin/backfill-keys", Surface.API));

    private static final Route JOIN = new Route("POST", "/join", Surface.V1);
    private static final Route HOOK = new Route("POST", "/hook/set-status", Surface.V1);

    enum BodyInput {
        INVALID_JSON,
        NOT_AN_OBJECT,
        WRONG_TYPES,
        HUGE_NUMBERS,
        DEEP_NESTING,
        EDGE_CASE_STRINGS,
        OVERSIZED,
        CHUNKED
    }

    @Autowired
    Ed25519 ed25519;

    @Autowired
    BrokerProperties properties;

    @ParameterizedTest(name = "{0}")
    @EnumSource(BodyInput.class)
    void a9_a10_api_aRefusedBodyIsA4xxInItsSurfacesShape_andStoresNothing(BodyInput input) throws Exception {
        JsonNode invite =
                createInvite(createMesh(uniqueSlug("hostile")).get("id").asString(), "{\"maxUses\":5}");
        String meshId = invite.get("payload").get("mesh_id").asString();
        StoredRows before = StoredRows.take(jdbc);
        Random random = HostileInput.random("http-body-" + input);
        List<Route> routes = List.of(
                JOIN,
                HOOK,
                new Route("POST", "/api/meshes", Surface.API),
                new Route("POST", "/api/meshes/" + meshId + "/invites", Surface.API));

        for (int i = 0; i < CASES; i++) {
            Route route = routes.get(i % routes.size());
            String body = refusedBody(input, route, invite, random);
            HttpRequest.BodyPublisher publisher =
                    input == BodyInput.CHUNKED ? chunked(body) : HttpRequest.BodyPublishers.ofString(body);
            HttpResponse<String> response = send(route.method(), route.path(), "application/json", publisher);
            assertRefusedInShape(
                    route,
                    response,
                    input + " case " + i + " of seed " + HostileInput.seed("http-body-" + input) + ": "
                            + abbreviate(body));
        }

        StoredRows after = StoredRows.take(jdbc);
        assertThat(before.addedIn(after)).as("rows added").isEmpty();
        assertThat(before.changedIn(after)).as("rows changed").isEmpty();
    }

    @Test
    void api_everyAdminRouteWithHostileIdsNamesNoRow_andAnswersAProblem() throws Exception {
        StoredRows before = StoredRows.take(jdbc);
        Random random = HostileInput.random("http-ids");
        List<String> ids = new ArrayList<>(List.of(
                "..",
                "%2e%2e",
                ".%2e",
                "..%2f..%2fetc%2fpasswd",
                "..%5c..%5cwin.ini",
                "%252e%252e%252f",
                "..;",
                ";..",
                "x'%20OR%20'1'%3D'1",
                "1%3B%20DROP%20TABLE%20mesh.mesh",
                "%27--",
                "%22",
                "%25",
                "%E2%80%AE",
                "%EF%BB%BF",
                "%EF%BF%BF",
                "%F0%9F%92%A9",
                "x".repeat(3_000),
                "%00",
                "a%00b",
                "%C0%AE%C0%AE",
                "%ED%A0%80",
                "%ff"));
        while (ids.size() < 43) {
            String id = URLEncoder.encode(storableEdgeString(random), StandardCharsets.UTF_8)
                    .replace("+", "%20");
            // A request line over Tomcat's 8 KiB header limit is refused before any path is known (so in the
            // v1 shape); the members route holds the id twice.
            if (id.length() < 3_500) {
                ids.add(id);
            }
        }

        for (Route route : ADMIN_ROUTES) {
            if (!route.path().contains("{id}")) {
                continue;
            }
            for (String id : ids) {
                String path = route.path().replace("{id}", id).replace("{member}", id);
                HttpResponse<String> response = send(route.method(), path, "application/json", body(route.method()));
                String why = route + " with id " + abbreviate(id);
                assertThat(response.statusCode()).as(why).isIn(400, 404);
                assertNoInternals(response, why);
                assertProblem(response, why);
            }
        }

        StoredRows after = StoredRows.take(jdbc);
        assertThat(before.addedIn(after)).isEmpty();
        assertThat(before.changedIn(after)).isEmpty();
    }

    @Test
    void a9_a10_api_methodsARouteDoesNotTakeAre405InItsSurfacesShape() throws Exception {
        List<Route> routes = new ArrayList<>(ADMIN_ROUTES);
        routes.add(JOIN);
        routes.add(HOOK);
        for (Route route : routes) {
            String path = route.path().replace("{id}", "none").replace("{member}", "none");
            for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
                if (routes.stream().anyMatch(other -> other.method().equals(method) && takes(other, path))) {
                    continue;
                }
                HttpResponse<String> response = send(method, path, "application/json", body(method));
                String why = method + " " + path;
                assertThat(response.statusCode())
                        .as(why + ": " + response.body())
                        .isEqualTo(405);
                assertInShape(route.surface(), response, why);
            }
        }
    }

    @Test
    void a9_a10_api_anyContentTypeIsAnsweredInTheSurfacesShape() throws Exception {
        List<String> contentTypes = List.of(
                "text/plain",
                "application/xml",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
                "*/*",
                "application/*",
                "garbage",
                "application/json; charset=ebcdic",
                "application/json; charset=utf-16",
                "",
                "text/html; charset=\"",
                "application/json;;;");
        Route createMesh = new Route("POST", "/api/meshes", Surface.API);
        for (Route route : List.of(JOIN, HOOK, createMesh)) {
            for (String contentType : contentTypes) {
                HttpResponse<String> response = send(
                        route.method(), route.path(), contentType, HttpRequest.BodyPublishers.ofString("{\"x\":1}"));
                String why = route + " as '" + contentType + "'";
                assertThat(response.statusCode()).as(why).isBetween(400, 499);
                assertInShape(route.surface(), response, why);
            }
        }
    }

    @Test
    void a12_anyAcceptHeaderIsAnsweredWithJson_neverAnHtmlErrorPage() throws Exception {
        for (String accept : List.of("text/html", "application/xml", "image/png", "text/plain;q=1, */*;q=0")) {
            for (String path :
                    List.of("/health", "/api/meshes", "/hook/set-status", "/join", "/no/such/path", "/error")) {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(uri(path))
                                .header("Accept", accept)
                                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                String why = "GET " + path + " Accept: " + accept;
                assertThat(response.statusCode()).as(why).isLessThan(500);
                assertNoInternals(response, why);
                assertThat(response.headers().firstValue("Content-Type").orElse(""))
                        .as(why)
                        .startsWith(
                                path.startsWith("/api") && response.statusCode() >= 400
                                        ? "application/problem+json"
                                        : "application/json");
            }
        }
    }

    @Test
    void api_anUnknownAdminPathIsA404Problem() throws Exception {
        for (String path :
                List.of("/api", "/api/", "/api/nope", "/api/meshes/x/nope", "/api/admin", "/api/invites/x")) {
            HttpResponse<String> response = adminGet(path);

            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertProblem(response, path);
            assertThat(problemCode(body(response))).as(path).isEqualTo("not_found");
        }
    }

    @Test
    void a12_theErrorPathItselfIsNotAResource() throws Exception {
        for (String method : List.of("GET", "POST", "DELETE")) {
            HttpResponse<String> response =
                    send(method, "/error", "application/json", HttpRequest.BodyPublishers.ofString("{}"));

            assertThat(response.statusCode()).as(method).isEqualTo(404);
            assertInShape(Surface.V1, response, method + " /error");
        }
    }

    @Test
    void a9_a10_api_malformedFramingIsA400InTheSurfacesShape() throws Exception {
        for (String path : List.of("/join", "/hook/set-status", "/api/meshes")) {
            for (String framing : List.of(
                    "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                    "Transfer-Encoding: chunked\r\n\r\n1;" + "x".repeat(10_000) + "\r\n{\r\n0\r\n\r\n",
                    "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                    "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
                    "Content-Length: -1\r\n\r\n{}",
                    "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")) {
                String response = raw("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                        + "Authorization: Bearer " + ADMIN_TOKEN + "\r\nContent-Type: application/json\r\n" + framing);
                String why = path + " with " + abbreviate(framing);
                int status = Integer.parseInt(response.substring(9, 12));
                // RFC 9112 6.1: a transfer coding the server does not know is answered 501.
                int highest = framing.contains("gzip") ? 501 : 499;
                assertThat(status).as(why + ": " + response).isBetween(400, highest);
                String body = response.substring(response.indexOf("\r\n\r\n") + 4);
                assertThat(body.toLowerCase()).as(why).doesNotContain(INTERNALS.toArray(String[]::new));
                assertThat(body).as(why).contains(path.startsWith("/api") ? "\"code\":" : "\"ok\":false");
            }
        }
    }

    @Test
    void a9_a10_api_sqlAndUnicodeEdgeStringsAreStoredVerbatim_orRefusedWhenNotStorable() throws Exception {
        Random random = HostileInput.random("http-verbatim");
        JsonNode invite =
                createInvite(createMesh(uniqueSlug("verbatim")).get("id").asString(), "{\"maxUses\":1000}");
        for (int i = 0; i < 40; i++) {
            String text = edgeString(random);
            boolean storable = text.indexOf('\0') < 0 && HostileInput.wellFormed(text);
            String why = "case " + i + " of seed " + HostileInput.seed("http-verbatim") + ": "
                    + abbreviate(jsonString(text, random));

            String cwd = "/verbatim/" + java.util.UUID.randomUUID() + "/" + text;
            HttpResponse<String> hook = postJson(
                    "/hook/set-status",
                    "{\"cwd\":" + jsonString(cwd, random) + ",\"status\":\"working\",\"pid\":" + (70_000 + i) + "}");
            boolean cwdFits = cwd.getBytes(StandardCharsets.UTF_8).length <= 2048;
            assertThat(hook.statusCode()).as("hook " + why).isEqualTo(storable && cwdFits ? 200 : 400);
            assertInShape(Surface.V1, hook, "hook " + why);
            if (storable && cwdFits) {
                assertThat(jdbc.queryForObject(
                                "SELECT count(*) FROM mesh.pending_status WHERE cwd = ? AND pid = ?",
                                Integer.class,
                                cwd,
                                70_000 + i))
                        .as("hook " + why)
                        .isEqualTo(1);
            }

            // The admin API trims names (String.trim: every char up to U+0020, NUL included) before its checks.
            String name = (text.length() > 200 ? text.substring(0, 200) : text).trim();
            boolean nameStorable = !name.isEmpty() && name.indexOf('\0') < 0 && HostileInput.wellFormed(name);
            HttpResponse<String> mesh = adminPost(
                    "/api/meshes", "{\"name\":" + jsonString(name, random) + ",\"slug\":\"" + uniqueSlug("v") + "\"}");
            assertThat(mesh.statusCode()).as("mesh " + why).isEqualTo(nameStorable ? 201 : 400);
            if (nameStorable) {
                String stored = body(adminGet(
                                "/api/meshes/" + body(mesh).get("id").asString()))
                        .get("name")
                        .asString();
                assertThat(stored).as("mesh " + why).isEqualTo(name);
            } else {
                assertProblem(mesh, "mesh " + why);
            }

            String displayName = text.length() > 100 ? text.substring(0, 100) : text;
            ObjectNode join = json.createObjectNode();
            join.put("invite_token", invite.get("token").asString());
            join.set("invite_payload", invite.get("payload"));
            join.put("peer_pubkey", ed25519.generate().publicKeyHex());
            String joinBody = json.writeValueAsString(join);
            HttpResponse<String> joined = postJson(
                    "/join",
                    joinBody.substring(0, joinBody.length() - 1) + ",\"display_name\":"
                            + jsonString(displayName, random) + "}");
            boolean displayStorable =
                    displayName.indexOf('\0') < 0 && HostileInput.wellFormed(displayName) && !displayName.isEmpty();
            assertInShape(Surface.V1, joined, "join " + why);
            if (displayStorable && joined.statusCode() == 200) {
                assertThat(jdbc.queryForObject(
                                "SELECT display_name FROM mesh.member WHERE id = ?",
                                String.class,
                                body(joined).get("memberId").asString()))
                        .as("join " + why)
                        .isEqualTo(displayName);
            } else {
                assertThat(joined.statusCode())
                        .as("join " + why + ": " + joined.body())
                        .isEqualTo(400);
            }
        }
    }

    @Test
    void a10_aPeerPubkeyOfNonAsciiDigitsIsNotHex_andJoinsNothing() throws Exception {
        JsonNode invite =
                createInvite(createMesh(uniqueSlug("digits")).get("id").asString(), "{\"maxUses\":5}");
        StoredRows before = StoredRows.take(jdbc);
        // Character.digit(c, 16) accepts these; PROTOCOL A.2's hex is 0-9, a-f, A-F only.
        for (String digits : List.of("\u0663", "\uff21", "\u0e53", "\u0966")) {
            ObjectNode join = json.createObjectNode();
            join.put("invite_token", invite.get("token").asString());
            join.set("invite_payload", invite.get("payload"));
            join.put("peer_pubkey", digits.repeat(64));
            join.put("display_name", "digits");

            HttpResponse<String> response = postJson("/join", json.writeValueAsString(join));

            assertThat(response.statusCode()).as(digits).isEqualTo(400);
            assertThat(body(response).get("error").asString()).isEqualTo("peer_pubkey must be 64 hex chars (32 bytes)");
        }
        StoredRows after = StoredRows.take(jdbc);
        assertThat(before.addedIn(after)).isEmpty();
        assertThat(before.changedIn(after)).isEmpty();
    }

    // ---- generators ----

    /** A body that {@code route} must refuse, of the given input class. */
    private String refusedBody(BodyInput input, Route route, JsonNode invite, Random random) {
        String valid = validBody(route, invite, random);
        return switch (input) {
            case INVALID_JSON -> invalidJson(random, valid);
            case NOT_AN_OBJECT -> notAnObject(route, valid, random);
            case WRONG_TYPES -> withWrongField(route, valid, random);
            case HUGE_NUMBERS -> withHugeNumber(route, valid, random);
            case DEEP_NESTING ->
                random.nextBoolean()
                        ? deepNesting(random, 10_000)
                        : withField(route, valid, random, fields(route, valid), field -> deepNesting(random, 10_000));
            // Every string field, with text no field may hold appended: a NUL or a surrogate between
            // two letters, so that it cannot pair with the edge string's last character.
            case EDGE_CASE_STRINGS ->
                withField(
                        route,
                        valid,
                        random,
                        stringFields(route, valid),
                        field -> jsonString(
                                edgeString(random) + "x" + pick(random, List.of("\0", "\ud800", "\udc00")) + "x",
                                random));
            case OVERSIZED ->
                route == JOIN || route == HOOK
                        ? valid.replaceFirst("}$", ",\"pad\":\"" + "a".repeat(properties.maxMessageBytes()) + "\"}")
                        : withField(
                                route,
                                valid,
                                random,
                                stringFields(route, valid),
                                field -> "\"\\ud800" + "x".repeat(200_000) + "\"");
            case CHUNKED -> random.nextBoolean() ? invalidJson(random, valid) : withWrongField(route, valid, random);
        };
    }

    /**
     * JSON that is no object (or, for /join and the hook, no object with the required fields).
     * {@code POST /api/meshes/{id}/invites} takes an empty, {@code null} or partial body — every
     * field has a default — so it only gets JSON that is neither an object nor null.
     */
    private String notAnObject(Route route, String valid, Random random) {
        List<String> candidates =
                new ArrayList<>(List.of("[" + valid + "]", "\"" + letters(random, 10) + "\"", "[]", "true", "42"));
        if (!route.path().endsWith("/invites")) {
            candidates.addAll(List.of(notAnObjectWithAStringType(random), "", " ", "{}", "null"));
        }
        return pick(random, candidates);
    }
    /** A body the route would accept (for /join: one more use of {@code invite}). */
    private String validBody(Route route, JsonNode invite, Random random) {
        if (route == JOIN) {
            ObjectNode join = json.createObjectNode();
            join.put("invite_token", invite.get("token").asString());
            join.set("invite_payload", invite.get("payload"));
            join.put("peer_pubkey", ed25519.generate().publicKeyHex());
            join.put("display_name", letters(random, 8));
            return json.writeValueAsString(join);
        }
        if (route == HOOK) {
            return "{\"cwd\":\"/hostile/" + letters(random, 8) + "\",\"status\":\"working\",\"pid\":"
                    + random.nextInt(99_999) + "}";
        }
        if (route.path().endsWith("/invites")) {
            return "{\"role\":\"member\",\"maxUses\":3,\"expiresInSeconds\":3600}";
        }
        return "{\"name\":\"Hostile " + letters(random, 5) + "\",\"slug\":\"" + uniqueSlug("h")
                + "\",\"visibility\":\"private\",\"maxPeers\":10}";
    }

    /** Fields of the route whose value is a number. */
    private static final java.util.Set<String> NUMERIC = java.util.Set.of(
            "pid", "maxUses", "expiresInSeconds", "maxPeers", "invite_payload.v", "invite_payload.expires_at");

    /**
     * {@code valid} with one field replaced by a value of a type it may not have. The admin API reads
     * bodies with Jackson, which turns a number or boolean into a string for a string field, so its
     * string fields get arrays and objects; /join and the hook read the JSON tree and refuse any
     * non-string. {@code null} is left out: it means "absent", which optional fields allow.
     */
    private String withWrongField(Route route, String valid, Random random) {
        return withField(route, valid, random, fields(route, valid), field -> {
            if (NUMERIC.contains(field)) {
                // Not "": Jackson reads an empty string as null, i.e. absent, for a number of the admin API.
                return pick(random, List.of("\"" + letters(random, 4) + "\"", "[1]", "{\"n\":1}", "[]"));
            }
            if (route.surface() == Surface.API) {
                return pick(random, List.of("[\"" + letters(random, 4) + "\"]", "{\"v\":1}", "[]", "{}"));
            }
            return pick(random, List.of("1", "-1", "true", "false", "[]", "{}", "[\"a\"]", "1.5"));
        });
    }

    /** A number no field can hold, in a numeric field (for /join and the hook, in any field). */
    private String withHugeNumber(Route route, String valid, Random random) {
        List<String> fields = route.surface() == Surface.V1
                ? fields(route, valid)
                : fields(route, valid).stream().filter(NUMERIC::contains).toList();
        String huge = hugeNumber(random);
        return withField(route, valid, random, fields, field -> huge);
    }

    private List<String> fields(Route route, String valid) {
        List<String> fields = new ArrayList<>();
        json.readTree(valid).propertyNames().forEach(fields::add);
        fields.remove("visibility");
        if (route == JOIN) {
            fields.remove("invite_payload");
            for (String field : List.of(
                    "v",
                    "mesh_id",
                    "mesh_slug",
                    "broker_url",
                    "expires_at",
                    "mesh_root_key",
                    "role",
                    "owner_pubkey",
                    "signature")) {
                fields.add("invite_payload." + field);
            }
        }
        return fields;
    }

    private List<String> stringFields(Route route, String valid) {
        return fields(route, valid).stream()
                .filter(field -> !NUMERIC.contains(field))
                .toList();
    }

    /** {@code valid} with one of {@code fields} (dotted for the invite payload) set to a JSON value text. */
    private String withField(
            Route route, String valid, Random random, List<String> fields, Function<String, String> value) {
        ObjectNode body = (ObjectNode) json.readTree(valid);
        String field = pick(random, fields);
        String marker = "__hostile_" + random.nextInt(1_000_000);
        if (field.startsWith("invite_payload.")) {
            ((ObjectNode) body.get("invite_payload")).put(field.substring("invite_payload.".length()), marker);
        } else {
            body.put(field, marker);
        }
        return json.writeValueAsString(body).replace("\"" + marker + "\"", value.apply(field));
    }

    // ---- requests ----

    private HttpResponse<String> send(String method, String path, String contentType, HttpRequest.BodyPublisher body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(10))
                .method(method, body);
        if (!contentType.isEmpty()) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.BodyPublisher chunked(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
    }

    private String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean takes(Route route, String path) {
        return path.matches(route.path().replace("{id}", "[^/]+").replace("{member}", "[^/]+"));
    }

    private static HttpRequest.BodyPublisher body(String method) {
        return method.equals("GET") || method.equals("DELETE")
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString("{}");
    }

    // ---- assertions ----

    private void assertRefusedInShape(Route route, HttpResponse<String> response, String why) {
        assertThat(response.statusCode())
                .as(why + " → " + abbreviate(response.body()))
                .isBetween(400, 499);
        assertInShape(route.surface(), response, why);
    }

    private void assertInShape(Surface surface, HttpResponse<String> response, String why) {
        assertNoInternals(response, why);
        if (surface == Surface.API && response.statusCode() >= 400) {
            assertProblem(response, why);
            return;
        }
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as(why)
                .startsWith("application/json");
        JsonNode body = body(response);
        assertThat(body.isObject()).as(why).isTrue();
        if (surface == Surface.V1) {
            assertThat(body.path("ok").isBoolean())
                    .as(why + ": " + response.body())
                    .isTrue();
            if (response.statusCode() >= 400) {
                assertThat(body.path("ok").asBoolean()).as(why).isFalse();
                assertThat(body.path("error").asString())
                        .as(why + ": " + response.body())
                        .isNotEmpty();
            }
        }
    }

    private void assertProblem(HttpResponse<String> response, String why) {
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as(why + ": " + response.body())
                .startsWith("application/problem+json");
        JsonNode problem = body(response);
        assertThat(problemCode(problem)).as(why + ": " + response.body()).isNotEmpty();
        assertThat(problem.path("status").asInt()).as(why).isEqualTo(response.statusCode());
        assertThat(problem.path("title").asString()).as(why).isNotEmpty();
    }

    private static void assertNoInternals(HttpResponse<String> response, String why) {
        assertThat(response.body().toLowerCase())
                .as(why + ": " + abbreviate(response.body()))
                .doesNotContain(INTERNALS.toArray(String[]::new));
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "… (" + text.length() + " chars)" : text;
    }
}
