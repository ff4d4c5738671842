package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.testing.PostgresHarness;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trace format and a short replay against a plain Postgres, as anyone would run the tool. */
class TraceReplayTests {

    @Test
    void theCheckedInSaleSpikeTraceParses() {
        TraceReplay.Trace t = TraceReplay.Trace.load("traces/sale-spike.csv");
        assertThat(t.durationSeconds()).isBetween(300, 400);
        double quiet = t.at(0).rate();
        double peak = t.steps().stream().mapToDouble(TraceReplay.Step::rate).max().orElseThrow();
        assertThat(peak / quiet).isEqualTo(10.0);
        assertThat(t.at(t.durationSeconds() - 1).clients()).as("ends idle").isZero();
    }

    @Test
    void stepsHoldUntilTheNextRowAndTheLastRowEndsTheTrace() {
        TraceReplay.Trace t = TraceReplay.Trace.parse("t", List.of("# comment", "second,clients,ratePerClient",
                "0,1,2", "5,2,4.5", "8,0,0"));
        assertThat(t.durationSeconds()).isEqualTo(8);
        assertThat(t.at(4)).isEqualTo(new TraceReplay.Step(0, 1, 2));
        assertThat(t.at(7).rate()).isEqualTo(9.0);
        assertThatThrownBy(() -> TraceReplay.Trace.parse("t", List.of("0,1,2", "5,1,2")))
                .hasMessageContaining("end row");
        assertThatThrownBy(() -> TraceReplay.Trace.parse("t", List.of("3,1,2", "5,0,0")))
                .hasMessageContaining("start at 0");
    }

    @Test
    void replaysAtThePacedRateAndCountsEveryRequest() throws Exception {
        String url = newDatabaseUrl();
        TraceReplay.Trace t = TraceReplay.Trace.parse("t", List.of("0,2,5", "2,1,10", "3,0,0", "4,0,0"));
        TraceReplay.Result r = new TraceReplay(t, url, "SELECT 1").run(Instant.now().plusMillis(300));
        assertThat(r.seconds()).extracting(TraceReplay.Second::offered).startsWith(10, 10, 10, 0);
        assertThat(r.total(TraceReplay.Second::completed)).isEqualTo(30);
        assertThat(r.total(TraceReplay.Second::errors) + r.total(TraceReplay.Second::dropped)).isZero();
        assertThat(r.percentileMs(0, 4, 99)).isLessThan(1000);
    }

    @Test
    void calibrationSizesTheUnitOfWorkToTheWantedExecutionTime() throws Exception {
        String url = newDatabaseUrl();
        TraceReplay.Calibration four = TraceReplay.calibrate(url, 4);
        assertThat(four.query()).isEqualTo(TraceReplay.unit(four.rows()));
        // The sized unit takes about the wanted time: its fastest warm run (other load only adds) within 2x of 4 ms.
        double fastest = Double.MAX_VALUE;
        try (Connection c = TraceReplay.connect(url); Statement st = c.createStatement()) {
            for (int i = 0; i < 10; i++) {
                fastest = Math.min(fastest, TraceReplay.executionMs(st, four.query()));
            }
        }
        assertThat(fastest).isBetween(2.0, 8.0);
        // Twice the time, about twice the rows (each a fastest-of-15 measurement, so within a generous margin).
        TraceReplay.Calibration eight = TraceReplay.calibrate(url, 8);
        assertThat((double) eight.rows() / four.rows()).isBetween(1.4, 2.8);
    }

    private static String newDatabaseUrl() {
        PostgresHarness.TestDatabase db = PostgresHarness.newDatabase();
        return db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "user=" + db.user() + "&password=" + db.password();
    }
}
