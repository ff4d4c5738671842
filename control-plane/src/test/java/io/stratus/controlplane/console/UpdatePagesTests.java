package io.stratus.controlplane.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The read-only Rolling updates pages, as a signed-in operator's browser gets them. */
class UpdatePagesTests extends ControlPlaneTest {

    private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    @Test
    void anUpdateAndItsItemsAreListedForTheOperator() throws Exception {
        int minor = 2000 + new java.util.Random().nextInt(1_000_000);
        String release = "15." + minor;
        var reg = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"up-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z\",\"capacityCu\":4,\"releases\":[\"" + release + "\",\"15."
                + (minor + 1) + "\"],\"frontDoorPort\":6432}");
        TestTenant tenant = newTenant();
        var db = api().post(tenant.adminKey(), "/v1/databases", "{\"name\":\"paged\",\"minCu\":0.25,\"maxCu\":1,"
                + "\"release\":\"" + release + "\"}");
        String dbId = db.at("/database/id").asString();
        var status = api().post(reg.text("credential"), "/agent/v1/nodes/" + reg.text("nodeId") + "/status",
                "{\"nodeId\":\"" + reg.text("nodeId") + "\",\"observedGeneration\":1,\"capacityCu\":4,"
                        + "\"enforcement\":\"none\",\"computes\":[{\"computeId\":\"" + dbId + "\",\"phase\":\"RUNNING\","
                        + "\"specVersion\":1,\"release\":\"" + release + "\",\"acceptingLogins\":true,\"restarts\":0,"
                        + "\"appliedCu\":0.25,\"enforcement\":\"none\"}]}");
        assertThat(status.status()).isEqualTo(204);
        var created = api().post(OPERATOR_KEY, "/v1/admin/rolling-updates", "{\"target\":{\"release\":\"15."
                + (minor + 1) + "\"},\"selector\":{\"databaseIds\":[\"" + dbId + "\"]}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        String id = created.text("id");
        signIn();

        String list = page("/console/rolling-updates");
        String detail = page("/console/rolling-updates/" + id);

        assertThat(list).contains("data-update=\"" + id + "\"").contains("PostgreSQL 15." + (minor + 1));
        assertThat(detail).contains("data-database=\"" + dbId + "\"").contains(">paged<").contains(release);
        assertThat(browser.send(get("/console/rolling-updates/" + UUID.randomUUID()),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }

    private void signIn() throws Exception {
        String form = page("/console/login");
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(form);
        assertThat(csrf.find()).as(form).isTrue();
        String body = "username=&password=" + URLEncoder.encode(OPERATOR_KEY, StandardCharsets.UTF_8) + "&_csrf="
                + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(uri("/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.uri().getPath()).as(r.body()).isEqualTo("/console/fleet");
    }

    private String page(String path) throws Exception {
        HttpResponse<String> r = browser.send(get(path), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(uri(path)).header("Accept", "text/html").GET().build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
