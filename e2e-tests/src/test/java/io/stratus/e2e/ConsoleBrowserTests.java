package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.testing.ApiClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real headless Chromium against one control plane and one agent (started once for every
 * scenario here): sign in, create a tenant, watch a database the API provisions turn RUNNING and then scale under load
 * on pages that update themselves, and what the console refuses (tenant keys, a change without its CSRF token).
 */
class ConsoleBrowserTests {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static StratusProcesses stratus;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() {
        // Usage reaches the invoice within seconds rather than a minute, so the pages show what a tenant spends.
        stratus = new StratusProcesses()
                .withControlPlaneEnv("STRATUS_METERING_ROLLUP_INTERVAL", "1s")
                .withAgentEnv("STRATUS_AGENT_USAGE_INTERVAL", "1s")
                .start();
        browser = ConsoleBrowser.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (stratus != null) {
            stratus.close();
        }
    }

    @BeforeEach
    void signedOut() {
        browser.get(stratus.baseUrl() + "/console/login");
        browser.manage().deleteAllCookies();
    }

    @Test
    void theOperatorProvisionsWatchesItRunAndScaleThenSignsOut() throws Exception {
        signIn("", StratusProcesses.OPERATOR_KEY);
        assertThat(browser.findElement(By.id("signed-in-as")).getText()).isEqualTo("operator");
        wait(PATIENCE).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#nodes tbody tr")));

        // A tenant created with the console's form, as the operator.
        String tenantName = "shop-" + UUID.randomUUID().toString().substring(0, 6);
        browser.get(stratus.baseUrl() + "/console/tenants");
        browser.findElement(By.id("tenant-name")).sendKeys(tenantName);
        browser.findElement(By.id("create-tenant-submit")).click();
        wait(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("tenant-title"), tenantName));
        String tenantId = browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);
        ApiClient api = stratus.api();
        var audit = api.get(StratusProcesses.OPERATOR_KEY, "/v1/audit-events?targetId=" + tenantId);
        assertThat(audit.at("/items/0/action").asString()).isEqualTo("POST /v1/tenants");
        assertThat(audit.at("/items/0/actor").asString()).isEqualTo("operator");

        // A plan made with the API, assigned with the console's form: the tenant then has an invoice.
        var plan = api.post(StratusProcesses.OPERATOR_KEY, "/v1/admin/plans", ApiClient.json("name",
                "console-" + tenantName, "currency", "USD", "pricePerMillionRequests", 0.20, "pricePerCuHour", 0.125,
                "pricePerGbMonth", 0.35, "pricePerGbEgress", 0.09, "freeRequests", 0, "freeCuHours", 0,
                "freeGbMonths", 0, "freeEgressGb", 0));
        assertThat(plan.status()).as(plan.raw()).isEqualTo(201);
        browser.navigate().refresh();
        new Select(browser.findElement(By.id("planId"))).selectByValue(plan.text("id"));
        browser.findElement(By.id("assign-plan")).click();
        wait(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("tenant-plan"), "console-" + tenantName));
        assertThat(api.get(StratusProcesses.OPERATOR_KEY, "/v1/tenants/" + tenantId + "/plan").at("/plan/id").asString())
                .isEqualTo(plan.text("id"));

        // The tenant's developer provisions a database through the API while the operator looks at the list.
        var key = api.post(StratusProcesses.OPERATOR_KEY, "/v1/tenants/" + tenantId + "/api-keys",
                ApiClient.json("role", "tenant-admin"));
        assertThat(key.status()).as(key.raw()).isEqualTo(201);
        browser.get(stratus.baseUrl() + "/console/databases?tenant=" + tenantId);
        markPage();
        var created = api.post(key.text("key"), "/v1/databases", ApiClient.json("name", "orders", "minCu", 0.25, "maxCu", 2));
        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        String databaseId = created.at("/database/id").asString();
        By state = By.cssSelector("tr[data-id='" + databaseId + "'] .state");
        wait(Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(state));
        wait(PATIENCE).until(ExpectedConditions.textToBe(state, "RUNNING"));
        assertThat(pageWasNotReloaded()).as("the row turned RUNNING by htmx, without a reload").isTrue();
        ConsoleBrowser.screenshot(browser, "databases");

        // Its page: the chart is drawn from the metrics series.
        browser.findElement(By.linkText("orders")).click();
        wait(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("database-title"), "orders"));
        markPage();
        wait(PATIENCE).until(d -> chartPoints() > 0);

        // Load: the autoscaler's event appears on the page (table and chart) without a reload.
        AtomicBoolean loading = new AtomicBoolean(true);
        ExecutorService load = Executors.newFixedThreadPool(2);
        List<Connection> clients = new ArrayList<>();
        String uri = created.at("/connection/uri").asString();
        try {
            for (int i = 0; i < 2; i++) {
                Connection c = E2e.connect(uri);
                clients.add(c);
                load.submit(() -> {
                    try (Statement st = c.createStatement()) {
                        while (loading.get()) {
                            st.executeQuery("SELECT count(*) FROM generate_series(1, 3000000)").close();
                        }
                    }
                    return null;
                });
            }
            wait(PATIENCE).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#scaling-events tbody tr")));
            wait(Duration.ofSeconds(15)).until(d -> chartEvents() > 0);
            assertThat(pageWasNotReloaded()).as("the event appeared by htmx and the chart's refresh").isTrue();
            assertThat(browser.findElement(By.id("scaling-events")).getText()).contains("scale up");
            ConsoleBrowser.screenshot(browser, "database");
        } finally {
            loading.set(false);
            load.shutdown();
            for (Connection c : clients) {
                c.close();
            }
        }

        browser.get(stratus.baseUrl() + "/console/fleet");
        ConsoleBrowser.screenshot(browser, "fleet");
        // A node's database count leads to its databases.
        browser.findElement(By.cssSelector("#nodes tbody tr td:nth-child(6) a")).click();
        wait(Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("tr[data-id='" + databaseId + "']")));
        assertThat(browser.getCurrentUrl()).contains("node=");
        // What the tenant spends: its compute so far is on its invoice (the load's CU-hours, priced by its plan).
        wait(PATIENCE).pollingEvery(Duration.ofSeconds(1)).until(d -> {
            d.get(stratus.baseUrl() + "/console/tenants/" + tenantId);
            return !d.findElements(By.id("quantity-compute")).isEmpty() && new java.math.BigDecimal(
                    d.findElement(By.id("quantity-compute")).getText().split(" ")[0]).signum() > 0;
        });
        ConsoleBrowser.screenshot(browser, "tenant");
        browser.get(stratus.baseUrl() + "/console/operations");
        wait(Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#operations tbody tr")));
        ConsoleBrowser.screenshot(browser, "operations");
        browser.get(stratus.baseUrl() + "/console/billing?tenant=" + tenantId);
        wait(Duration.ofSeconds(10)).until(d -> "true".equals(d.findElement(By.cssSelector("canvas.bar-chart")).getDomAttribute("data-drawn")));
        ConsoleBrowser.screenshot(browser, "billing");

        browser.findElement(By.id("logout")).click();
        wait(Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(By.id("logged-out")));
        browser.get(stratus.baseUrl() + "/console/fleet");
        assertThat(browser.getCurrentUrl()).endsWith("/console/login");
    }

    @Test
    void aTenantKeyCannotSignIn() {
        var tenant = E2e.newTenant(stratus.api());
        signIn("", tenant.adminKey());
        assertThat(browser.findElement(By.id("login-error")).isDisplayed()).isTrue();
        browser.get(stratus.baseUrl() + "/console/fleet");
        assertThat(browser.getCurrentUrl()).endsWith("/console/login");
        ConsoleBrowser.screenshot(browser, "login-refused");
    }

    @Test
    void theSessionCookieIsHttpOnlyAndStrict() {
        signIn("", StratusProcesses.OPERATOR_KEY);
        Cookie session = browser.manage().getCookieNamed("STRATUS_CONSOLE");
        assertThat(session).isNotNull();
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        assertThat(session.getPath()).isEqualTo("/console");
        assertThat((String) ((JavascriptExecutor) browser).executeScript("return document.cookie"))
                .doesNotContain("STRATUS_CONSOLE");
    }

    @Test
    void aChangeWithoutItsCsrfTokenIsRefused() throws Exception {
        signIn("", StratusProcesses.OPERATOR_KEY);
        String session = browser.manage().getCookieNamed("STRATUS_CONSOLE").getValue();
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        String name = "csrf-" + UUID.randomUUID().toString().substring(0, 6);
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(stratus.baseUrl() + "/console/tenants"))
                .header("Cookie", "STRATUS_CONSOLE=" + session)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=" + name)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(stratus.api().get(StratusProcesses.OPERATOR_KEY, "/v1/tenants").raw()).doesNotContain(name);

        // The same request with the page's token is the operator's change: the session itself was good.
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(stratus.baseUrl() + "/console/tenants"))
                .header("Cookie", "STRATUS_CONSOLE=" + session).GET().build(), HttpResponse.BodyHandlers.ofString());
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(form.body());
        assertThat(token.find()).isTrue();
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(stratus.baseUrl() + "/console/tenants"))
                .header("Cookie", "STRATUS_CONSOLE=" + session)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=" + name + "&_csrf="
                        + URLEncoder.encode(token.group(1), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).isEqualTo(302);
        assertThat(stratus.api().get(StratusProcesses.OPERATOR_KEY, "/v1/tenants").raw()).contains(name);
    }

    private void signIn(String user, String secret) {
        browser.get(stratus.baseUrl() + "/console/login");
        WebElement username = browser.findElement(By.id("username"));
        username.clear();
        username.sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(secret);
        browser.findElement(By.id("sign-in")).click();
        wait(Duration.ofSeconds(15)).until(d -> !d.getCurrentUrl().endsWith("/console/login"));
    }

    /** Leaves a mark in the page's window that a reload would wipe. */
    private void markPage() {
        ((JavascriptExecutor) browser).executeScript("window.stratusNoReload = true");
    }

    private boolean pageWasNotReloaded() {
        return Boolean.TRUE.equals(((JavascriptExecutor) browser).executeScript("return window.stratusNoReload === true"));
    }

    /** Points the CU chart has drawn (its CU dataset), as Chart.js holds them. */
    private long chartPoints() {
        Object n = ((JavascriptExecutor) browser).executeScript(
                "const c = window.Chart && Chart.getChart(document.getElementById('cu-chart'));"
                        + " return c ? c.data.datasets[0].data.length : 0;");
        return ((Number) n).longValue();
    }

    private long chartEvents() {
        Object n = ((JavascriptExecutor) browser).executeScript(
                "const c = window.Chart && Chart.getChart(document.getElementById('cu-chart'));"
                        + " return c ? c.data.datasets[3].data.length : 0;");
        return ((Number) n).longValue();
    }

    private static WebDriverWait wait(Duration atMost) {
        WebDriverWait wait = new WebDriverWait(browser, atMost, Duration.ofMillis(200));
        return wait;
    }
}
