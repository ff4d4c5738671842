package io.stratus.controlplane.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Closing hours and rolling up: closed hours are final, late usage is billed in an open hour, and ingestion racing a
 * close never slips a record into a closed hour.
 */
class UsageLedgerTests extends MeteringTest {

    private static final Duration HOUR = Duration.ofHours(1);

    @Autowired
    UsageQueries queries;

    private record Hourly(long requests, int records, int lateRecords) {
    }

    private Hourly hourly(String db, Instant hour) {
        List<Hourly> rows = jdbc.query("select requests, records, late_records from usage_hourly where database_id = ?::uuid and hour = ?",
                (rs, i) -> new Hourly(rs.getLong(1), rs.getInt(2), rs.getInt(3)), db, hour.atOffset(ZoneOffset.UTC));
        return rows.isEmpty() ? new Hourly(0, 0, 0) : rows.get(0);
    }

    @Test
    void lateRecordAfterCloseIsBilledInTheNextOpenHourAndTheClosedHourStaysUnchanged() {
        String db = database("latecomer");
        assertThat(postUsage(List.of(rec(1, db, day.plus(Duration.ofMinutes(10)), 10))).status()).isEqualTo(200);
        ledger.closeAndRollUp(day, day.plus(HOUR));
        assertThat(hourly(db, day)).isEqualTo(new Hourly(10, 1, 0));

        Instant before = Instant.now().truncatedTo(ChronoUnit.HOURS);
        assertThat(postUsage(List.of(rec(2, db, day.plus(Duration.ofMinutes(20)), 5))).status()).isEqualTo(200);
        Instant after = Instant.now().truncatedTo(ChronoUnit.HOURS);
        ledger.rollUpPending();

        assertThat(hourly(db, day)).as("a closed hour never changes").isEqualTo(new Hourly(10, 1, 0));
        var late = jdbc.queryForMap("select usage_hour, billing_hour, late from usage_records where database_id = ?::uuid and seq = 2", UUID.fromString(db));
        assertThat(((java.sql.Timestamp) late.get("usage_hour")).toInstant()).isEqualTo(day);
        Instant billed = ((java.sql.Timestamp) late.get("billing_hour")).toInstant();
        assertThat(late.get("late")).isEqualTo(true);
        // The first open hour at arrival: the current hour (no hour after it can be closed yet).
        assertThat(billed).isIn(before, after);
        assertThat(hourly(db, billed)).isEqualTo(new Hourly(5, 1, 1));
    }

    @Test
    void closingRollsUpEveryRecordOfTheClosedHoursAndIsIdempotent() {
        String db = database("closing");
        List<Rec> records = new ArrayList<>();
        for (int h = 0; h < 3; h++) {
            for (int i = 0; i < 4; i++) {
                records.add(rec(h * 10 + i + 1, db, day.plus(HOUR.multipliedBy(h)).plusSeconds(i * 60L), h + 1));
            }
        }
        assertThat(postUsage(records).status()).isEqualTo(200);
        ledger.closeAndRollUp(day, day.plus(HOUR.multipliedBy(2)));
        assertThat(hourly(db, day)).isEqualTo(new Hourly(4, 4, 0));
        assertThat(hourly(db, day.plus(HOUR))).isEqualTo(new Hourly(8, 4, 0));
        assertThat(jdbc.queryForObject("select count(*) from usage_records where database_id = ?::uuid and not rolled_up "
                + "and billing_hour < ?", Long.class, db, day.plus(HOUR.multipliedBy(2)).atOffset(ZoneOffset.UTC))).isZero();
        assertThat(jdbc.queryForObject("select count(*) from closed_hours where hour >= ? and hour < ?", Long.class,
                day.atOffset(ZoneOffset.UTC), day.plus(Duration.ofDays(1)).atOffset(ZoneOffset.UTC))).isEqualTo(2);

        ledger.closeAndRollUp(day, day.plus(HOUR.multipliedBy(2)));
        ledger.rollUpPending();
        assertThat(hourly(db, day)).isEqualTo(new Hourly(4, 4, 0));
        assertThat(hourly(db, day.plus(HOUR))).isEqualTo(new Hourly(8, 4, 0));
        assertThat(hourly(db, day.plus(HOUR.multipliedBy(2)))).isEqualTo(new Hourly(12, 4, 0));
    }

    @Test
    void anHourNotYetOverCannotBeClosed() {
        Instant currentHour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        assertThatThrownBy(() -> ledger.closeAndRollUp(currentHour, currentHour.plus(HOUR)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.closeAndRollUp(day.plusSeconds(1), day.plus(HOUR)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.closeAndRollUp(day.plus(HOUR), day))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(jdbc.queryForObject("select count(*) from closed_hours where hour >= ?", Long.class,
                currentHour.atOffset(ZoneOffset.UTC))).isZero();
    }

    // Agents keep delivering usage for an hour while it is being closed: every record must end up either in the
    // closed hour's final sum (committed before the close) or billed late in an open hour, never lost and never
    // added to the closed hour after the close returned.
    @Test
    void recordsRacingACloseAreEitherInTheClosedHourOrBilledLate() throws Exception {
        String db = database("racer");
        int senders = 4;
        int perSender = 40;
        AtomicLong seq = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        List<CompletableFuture<Void>> sending = new ArrayList<>();
        try {
            for (int s = 0; s < senders; s++) {
                sending.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perSender; i++) {
                        long n = seq.incrementAndGet();
                        assertThat(postUsage(List.of(rec(n, db, day.plusSeconds(n), 1))).status()).isEqualTo(200);
                    }
                }, pool));
            }
            while (seq.get() < senders * perSender / 4) {
                Thread.sleep(5);
            }
            ledger.closeAndRollUp(day, day.plus(HOUR));
            Hourly closed = hourly(db, day);
            CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            ledger.rollUpPending();

            assertThat(hourly(db, day)).as("unchanged after the close returned").isEqualTo(closed);
            assertThat(closed.requests()).isPositive();
            long late = jdbc.queryForObject("select coalesce(sum(requests), 0) from usage_hourly where database_id = ?::uuid and hour > ?",
                    Long.class, db, day.atOffset(ZoneOffset.UTC));
            assertThat(late).as("some records raced the close").isPositive();
            assertThat(closed.requests() + late).isEqualTo(senders * perSender);
            assertThat(jdbc.queryForObject("select count(*) from usage_records where database_id = ?::uuid and late", Long.class, db))
                    .isEqualTo(late);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void hourlyUsageIsOrderedByTenantDatabaseAndHourAndScopedByTenant() {
        TestTenant other = newTenant();
        List<String> dbs = List.of(database("a1"), database("a2"), database(other, node, "b1"));
        List<Rec> records = new ArrayList<>();
        long seq = 0;
        for (String db : dbs) {
            for (int h : new int[] {3, 1, 2}) {
                records.add(rec(++seq, db, day.plus(HOUR.multipliedBy(h)), h));
            }
        }
        assertThat(postUsage(records).status()).isEqualTo(200);
        ledger.rollUpPending();

        List<HourlyUsage> all = queries.hourly(day, day.plus(HOUR.multipliedBy(3)));
        Comparator<HourlyUsage> order = Comparator.<HourlyUsage, String>comparing(u -> u.tenantId().toString())
                .thenComparing(u -> u.databaseId().toString()).thenComparing(HourlyUsage::hour);
        assertThat(all).isSortedAccordingTo(order);
        List<HourlyUsage> mine = all.stream().filter(u -> dbs.contains(u.databaseId().toString())).toList();
        assertThat(mine).hasSize(6).allSatisfy(u -> assertThat(u.hour()).isBefore(day.plus(HOUR.multipliedBy(3))));

        List<HourlyUsage> tenants = queries.hourlyForTenant(UUID.fromString(tenant.id()), day, day.plus(Duration.ofDays(1)));
        assertThat(tenants).hasSize(6).isSortedAccordingTo(order)
                .allSatisfy(u -> assertThat(u.tenantId().toString()).isEqualTo(tenant.id()));
        HourlyUsage first = tenants.stream().filter(u -> u.hour().equals(day.plus(HOUR.multipliedBy(2)))).findFirst().orElseThrow();
        assertThat(first.requests()).isEqualTo(2);
        assertThat(first.rowsRead()).isEqualTo(4);
        assertThat(first.rowsWritten()).isEqualTo(6);
        assertThat(first.cuSeconds()).isEqualByComparingTo("1.5");
        assertThat(first.storageByteSeconds()).isEqualByComparingTo("20000");
        assertThat(first.storageBytesMax()).isEqualTo(1002);
        assertThat(first.egressBytes()).isEqualTo(14);
        assertThat(first.records()).isEqualTo(1);
        assertThat(first.inexactRecords()).isZero();
        assertThat(first.lateRecords()).isZero();
    }
}
