package io.stratus.agent.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.protocol.UsageRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's position as recovery rebuilds it: from state.json, then from the lines still in segments. */
class SpoolStateTests {

    private static final UUID A = UUID.randomUUID();
    private static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aLineOlderThanTheCursorInStateJsonDoesNotMoveItBackButANewerOneMovesIt() throws IOException {
        SpoolState written = new SpoolState(dir, new SpoolCodec());
        written.appended(List.of(entry(1, 10), entry(2, 20), entry(3, 30)));
        written.acknowledge(3);
        written.write();

        SpoolState recovered = new SpoolState(dir, new SpoolCodec());
        recovered.load();
        recovered.recovered(entry(2, 20));

        assertThat(recovered.cursor(A)).get().satisfies(c -> assertThat(c.calls()).isEqualTo(30));
        assertThat(recovered.lastSeq()).isEqualTo(3);
        assertThat(recovered.ackedThrough()).isEqualTo(3);

        recovered.recovered(entry(4, 40));

        assertThat(recovered.cursor(A)).get().satisfies(c -> assertThat(c.calls()).isEqualTo(40));
        assertThat(recovered.lastSeq()).isEqualTo(4);
    }

    @Test
    void acknowledgesNothingBeyondTheLastSeqUsedNorTwice() {
        SpoolState state = new SpoolState(dir, new SpoolCodec());
        state.appended(List.of(entry(1, 10), entry(2, 20)));

        assertThat(state.acknowledge(99)).isTrue();
        assertThat(state.ackedThrough()).isEqualTo(2);
        assertThat(state.acknowledge(2)).isFalse();
        assertThat(state.acknowledge(1)).isFalse();
        assertThat(state.ackedThrough()).isEqualTo(2);
    }

    /** Record {@code seq} of compute A, and the cursor after it, at {@code calls} statements in all. */
    private static SpoolEntry entry(long seq, long calls) {
        Instant to = T0.plusSeconds(seq * 10);
        UsageCursor cursor = new UsageCursor(A, to, T0.minusSeconds(3600), T0.minusSeconds(3600), 0, calls, 0, 0,
                8_000_000, BigDecimal.ONE, 0, 0);
        return new SpoolEntry(new UsageRecord(seq, A, to.minusSeconds(10), to, 10, 0, 0, new BigDecimal("10.000"),
                8_000_000, 80_000_000, 0, true, "pg_stat_statements"), cursor);
    }
}
