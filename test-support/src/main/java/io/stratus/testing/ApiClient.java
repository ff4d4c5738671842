package io.stratus.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for tests that talk to Stratus the way a user does: JSON over HTTP with a Bearer key. */
public final class ApiClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    public ApiClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A response: status, headers and the body parsed as JSON (null when empty or not JSON). */
    public record Response(int status, String contentType, String raw, JsonNode json, Map<String, java.util.List<String>> headers) {
        public String text(String field) {
            JsonNode n = json.get(field);
            return n == null || n.isNull() ? null : n.asString();
        }

        public JsonNode at(String pointer) {
            return json.at(pointer);
        }
    }

    public Response get(String key, String path) {
        return send(key, "GET", path, null, Map.of());
    }

    public Response delete(String key, String path) {
        return send(key, "DELETE", path, null, Map.of());
    }

    public Response post(String key, String path, String body) {
        return send(key, "POST", path, body, Map.of());
    }

    public Response post(String key, String path, String body, Map<String, String> headers) {
        return send(key, "POST", path, body, headers);
    }

    public Response send(String key, String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        headers.forEach(b::header);
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            String ct = r.headers().firstValue("Content-Type").orElse("");
            JsonNode json = null;
            if (!r.body().isBlank() && ct.contains("json")) {
                json = JSON.readTree(r.body());
            }
            return new Response(r.statusCode(), ct, r.body(), json, r.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String json(Object... keyValues) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < keyValues.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append(keyValues[i]).append("\":");
            Object v = keyValues[i + 1];
            sb.append(v instanceof String s ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : String.valueOf(v));
        }
        return sb.append('}').toString();
    }
}
