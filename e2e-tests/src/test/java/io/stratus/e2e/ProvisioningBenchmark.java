package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.postgres.LocalPostgres;
import io.stratus.postgres.MavenReleaseResolver;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.ReleaseLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * POST /v1/databases → first successful query, against raw initdb + pg_ctl start + first query with the same
 * release on the same machine in the same run. Run with {@code ./mvnw -Pbench verify}; not part of the test suite.
 */
class ProvisioningBenchmark {

    private static final int N = Integer.getInteger("bench.databases", 20);
    /** Requests arrive paced, as a tenant's developers create databases, giving the warm pool time to refill. */
    private static final Duration PACE = Duration.ofMillis(Long.getLong("bench.paceMillis", 2500));

    @Test
    void provisioningVersusRawPostgres() throws Exception {
        List<Double> raw = raw();
        List<Double> stratus = viaStratus();
        String report = String.format("provisioning: POST -> first query, %d databases, paced %d ms%n"
                        + "  raw initdb+pg_ctl start+first query  p50 %7.1f ms  p95 %7.1f ms%n"
                        + "  stratus (warm pool)                 p50 %7.1f ms  p95 %7.1f ms%n"
                        + "  ratio stratus/raw                   p50 %7.2f x   p95 %7.2f x%n",
                N, PACE.toMillis(), pct(raw, 50), pct(raw, 95), pct(stratus, 50), pct(stratus, 95),
                pct(stratus, 50) / pct(raw, 50), pct(stratus, 95) / pct(raw, 95));
        System.out.print(report);
        Path out = Path.of("target", "bench-results.txt");
        Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private List<Double> raw() throws Exception {
        Path releases = Path.of("/tmp", "stratus-releases");
        PostgresRelease release = new ReleaseLocator(List.of(), releases).defaultRelease(new MavenReleaseResolver(releases));
        Path base = Path.of("/tmp", "stratus-bench-raw-" + ProcessHandle.current().pid());
        Files.createDirectories(base);
        Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Double> times = new ArrayList<>();
        try {
            for (int i = 0; i < N; i++) {
                long t0 = System.nanoTime();
                try (LocalPostgres pg = LocalPostgres.start(base.resolve("pg" + i), release, OsUser.forPostgres("postgres"),
                        "postgres", true, Map.of());
                     Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.superuser(), pg.password());
                     Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                    assertThat(rs.next()).isTrue();
                    times.add((System.nanoTime() - t0) / 1e6);
                }
            }
        } finally {
            PostgresCluster.deleteRecursively(base);
        }
        return times;
    }

    private List<Double> viaStratus() throws Exception {
        List<Double> times = new ArrayList<>();
        try (StratusProcesses stratus = new StratusProcesses()) {
            stratus.start();
            var api = stratus.api();
            var tenant = E2e.newTenant(api);
            // Warm-up database: JIT and the first registration are not what we measure.
            var warm = E2e.create(api, tenant, "warmup");
            E2e.awaitOperation(api, tenant, warm.operationId(), Duration.ofSeconds(120));
            Thread.sleep(PACE.toMillis() * 2);
            for (int i = 0; i < N; i++) {
                long t0 = System.nanoTime();
                var db = E2e.create(api, tenant, "bench_" + i);
                while (true) {
                    try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT 1")) {
                        rs.next();
                        break;
                    } catch (java.sql.SQLException notYet) {
                        Thread.sleep(5);
                    }
                }
                times.add((System.nanoTime() - t0) / 1e6);
                // Untimed: keeps the tenant under its database quota, as a developer cleaning up would.
                var deleted = api.delete(tenant.adminKey(), "/v1/databases/" + db.id());
                assertThat(deleted.status()).as(deleted.raw()).isEqualTo(202);
                Thread.sleep(PACE.toMillis());
            }
        }
        return times;
    }

    private static double pct(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(idx, sorted.size() - 1)));
    }
}
