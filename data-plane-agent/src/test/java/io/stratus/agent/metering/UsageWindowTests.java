package io.stratus.agent.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.protocol.UsageRecord;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** Windows and deltas from cursors and readings, without a database: resets, evictions, hours, idle merging. */
class UsageWindowTests {

    private static final UUID ID = UUID.randomUUID();
    private static final Instant RESET = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant PM = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant T = Instant.parse("2030-01-01T10:59:40Z");

    private final CuTimeline timeline = new CuTimeline();
    private final WindowCutter cutter = new WindowCutter(timeline, Duration.ofMinutes(5));

    @Test
    void aWindowReachingAnHourBoundaryEndsThereAndTheNextHourStartsANewOne() {
        timeline.observe(ID, T, BigDecimal.ONE);
        UsageCursor cursor = cursor(T, 100, 10, 20, 1000);

        List<SpoolEntry> out = cutter.cut(cursor, reading(RESET, 0, 150, 12, 25, 1000), T.plusSeconds(30));

        assertThat(out).hasSize(1);
        UsageRecord r = out.get(0).record();
        assertThat(r.from()).isEqualTo(T);
        assertThat(r.to()).isEqualTo(Instant.parse("2030-01-01T11:00:00Z"));
        assertThat(r.requests()).isEqualTo(50);
        assertThat(r.rowsRead()).isEqualTo(2);
        assertThat(r.rowsWritten()).isEqualTo(5);
        assertThat(r.cuSeconds()).isEqualByComparingTo("20");
        assertThat(r.storageByteSeconds()).isEqualTo(20_000);
        assertThat(r.exact()).isTrue();
        assertThat(out.get(0).cursor().at()).isEqualTo(r.to());
        assertThat(out.get(0).cursor().calls()).isEqualTo(150);
    }

    @Test
    void aLongGapIsCutAtEveryHourWithTheCountersInTheFirstWindow() {
        timeline.observe(ID, T, BigDecimal.ZERO);
        UsageCursor cursor = cursor(T, 100, 0, 0, 1000);

        List<SpoolEntry> out = cutter.cut(cursor, reading(RESET, 0, 130, 0, 0, 1000), T.plus(Duration.ofHours(2)));

        // The last one is past the idle limit, so it is written too.
        assertThat(out).extracting(e -> e.record().to()).containsExactly(Instant.parse("2030-01-01T11:00:00Z"),
                Instant.parse("2030-01-01T12:00:00Z"), T.plus(Duration.ofHours(2)));
        assertThat(out).extracting(e -> e.record().requests()).containsExactly(30L, 0L, 0L);
        assertThat(out.get(1).record().storageByteSeconds()).isEqualTo(3_600_000);
    }

    @Test
    void anIdleWindowStaysOpenUntilItIsLongEnoughThenIsWrittenWithItsCuAndStorage() {
        Instant from = Instant.parse("2030-01-01T10:00:00Z");
        timeline.observe(ID, from, new BigDecimal("0.25"));
        UsageCursor cursor = new UsageCursor(ID, from, RESET, PM, 0, 100, 0, 0, 1000, new BigDecimal("0.25"), 0, 0);
        CounterReading same = reading(RESET, 0, 100, 0, 0, 1000);

        assertThat(cutter.cut(cursor, same, from.plusSeconds(10))).isEmpty();
        assertThat(cutter.cut(cursor, same, from.plusSeconds(299))).isEmpty();
        List<SpoolEntry> out = cutter.cut(cursor, same, from.plusSeconds(300).plusMillis(7));

        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.record().requests()).isZero();
            assertThat(e.record().cuSeconds()).isEqualByComparingTo("75.00175");
            assertThat(e.record().storageByteSeconds()).isEqualTo(300_007);
        });
    }

    @Test
    void cuSecondsFollowSuspendAndResumeWithinTheWindow() {
        Instant from = Instant.parse("2030-01-01T10:00:00Z");
        timeline.observe(ID, from, BigDecimal.valueOf(2));
        timeline.observe(ID, from.plusSeconds(3), BigDecimal.ZERO);
        timeline.observe(ID, from.plusMillis(7500), BigDecimal.ONE);
        UsageCursor cursor = new UsageCursor(ID, from, RESET, PM, 0, 0, 0, 0, 0, BigDecimal.valueOf(2), 0, 0);

        List<SpoolEntry> out = cutter.cut(cursor, null, from.plusSeconds(10));

        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.record().cuSeconds()).isEqualByComparingTo("8.5");
            assertThat(e.cursor().cu()).isEqualByComparingTo("1");
        });
    }

    @Test
    void aChangedStatsResetMeansTheCountersStartedOverAndTheWindowMayHaveLostSome() {
        CounterDelta d = CounterDelta.between(cursor(T, 500, 50, 60, 0), reading(RESET.plusSeconds(99), 0, 7, 1, 2, 0));

        assertThat(d).isEqualTo(new CounterDelta(7, 1, 2, 0, 0, false));
    }

    @Test
    void evictionNeverCountsTheRemainingEntriesAgain() {
        CounterDelta d = CounterDelta.between(cursor(T, 500, 50, 60, 0), reading(RESET, 3, 480, 55, 60, 0));

        assertThat(d).isEqualTo(new CounterDelta(0, 5, 0, 0, 0, false));
    }

    @Test
    void aSumThatWentDownWithoutEvictionNeverBillsTheRemainingHistoryAgain() {
        // A selective reset (a superuser's pg_stat_statements_reset(userid, dbid, queryid)) took 480 calls away: the
        // entries left were all counted before, so the current 20 are no delta.
        CounterDelta d = CounterDelta.between(cursor(T, 500, 50, 60, 0), reading(RESET, 0, 20, 50, 61, 0));

        assertThat(d).isEqualTo(new CounterDelta(0, 0, 1, 0, 0, false));
    }

    @Test
    void sumsMadeWithOtherClassificationRulesBecomeTheBaselineInsteadOfBeingSetAgainstTheNewOnes() {
        // An agent from before transaction control stopped being requests (rules 2): its 500 calls held every BEGIN and
        // COMMIT, the new agent's 300 do not. Neither a drop nor a jump of a sum is usage then.
        UsageCursor older = new UsageCursor(ID, T, RESET, PM, 0, 500, 50, 60, 0, BigDecimal.ONE,
                UsageCursor.RULES - 1, 0, 0);

        assertThat(CounterDelta.between(older, reading(RESET, 0, 300, 90, 60, 0))).isEqualTo(new CounterDelta(0, 0, 0, 0, 0, false));
        // After a reset the counters start from zero, whatever rules the cursor had: they are the delta.
        assertThat(CounterDelta.between(older, reading(RESET.plusSeconds(5), 0, 30, 9, 6, 0)))
                .isEqualTo(new CounterDelta(30, 9, 6, 0, 0, false));

        // The cursor the window moves to carries this agent's rules: from there on it counts again.
        UsageCursor next = older.advance(T.plusSeconds(10), reading(RESET, 0, 300, 90, 60, 0), BigDecimal.ONE);
        assertThat(CounterDelta.between(next, reading(RESET, 0, 310, 92, 60, 0))).isEqualTo(new CounterDelta(10, 2, 0, 0, 0, true));
    }

    @Test
    void aCursorSpooledBeforeRulesWereVersionedDecodesAndIsNeverSetAgainstTheWireCounts() {
        SpoolCodec codec = new SpoolCodec();
        byte[] line = codec.encode(new SpoolEntry(record(), cursor(T, 500, 50, 60, 0)));
        String json = new String(line, 9, line.length - 10, StandardCharsets.UTF_8)
                .replace(",\"classifierVersion\":" + UsageCursor.RULES, "");
        // The cursor's egressBytes and ingressBytes (the record keeps its own): the last ones in the line.
        for (String field : List.of(",\"egressBytes\":0", ",\"ingressBytes\":0")) {
            int at = json.lastIndexOf(field);
            json = json.substring(0, at) + json.substring(at + field.length());
        }
        assertThat(json).doesNotContain("classifierVersion");
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body);
        byte[] old = (String.format("%08x ", crc.getValue()) + json).getBytes(StandardCharsets.UTF_8);

        UsageCursor decoded = codec.decode(old, 0, old.length).orElseThrow().cursor();

        assertThat(decoded.classifierVersion()).isNull();
        assertThat(decoded.egressBytes()).isZero();
        assertThat(decoded.ingressBytes()).isZero();
        assertThat(CounterDelta.between(decoded, reading(RESET, 0, 510, 52, 60, 0)))
                .isEqualTo(new CounterDelta(0, 0, 0, 0, 0, false));
    }

    @Test
    void egressAndIngressGrowLikeTheOtherCounters() {
        UsageCursor c = new UsageCursor(ID, T, RESET, PM, 0, 10, 0, 0, 0, BigDecimal.ONE, 4_000, 300);

        assertThat(CounterDelta.between(c, new CounterReading(RESET, PM, 0, 12, 3, 0, 0, 4_750, 420)))
                .isEqualTo(new CounterDelta(2, 3, 0, 750, 120, true));
    }

    @Test
    void aCleanRestartKeepsCountingFromTheSameBaseline() {
        CounterDelta d = CounterDelta.between(cursor(T, 500, 50, 60, 0), new CounterReading(RESET, PM.plusSeconds(60), 0,
                510, 52, 60, 0, 0, 0));

        assertThat(d).isEqualTo(new CounterDelta(10, 2, 0, 0, 0, true));
    }

    private static UsageCursor cursor(Instant at, long calls, long read, long written, long size) {
        return new UsageCursor(ID, at, RESET, PM, 0, calls, read, written, size, BigDecimal.ONE, 0, 0);
    }

    private static UsageRecord record() {
        return new UsageRecord(1, ID, T.minusSeconds(10), T, 0, 0, 0, BigDecimal.ONE, 0, 0, 0, true, "pg_stat_statements");
    }

    private static CounterReading reading(Instant statsReset, long dealloc, long calls, long read, long written, long size) {
        return new CounterReading(statsReset, PM, dealloc, calls, read, written, size, 0, 0);
    }
}
