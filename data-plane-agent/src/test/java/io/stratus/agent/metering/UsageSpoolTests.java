package io.stratus.agent.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.protocol.UsageRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool on a real file system; a "crash" is dropping the object without closing it and opening the files again. */
class UsageSpoolTests {

    private static final UUID A = UUID.randomUUID();
    private static final UUID B = UUID.randomUUID();
    private static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void recordsAndCursorsSurviveACrashBeforeAcknowledgementWithTheSameSeqs() throws IOException {
        UsageSpool spool = UsageSpool.open(dir);
        List<UsageRecord> spooled = spool.append(List.of(entry(A, 0, 5), entry(B, 0, 7)));
        spooled = concat(spooled, spool.append(List.of(entry(A, 10, 3))));
        assertThat(spooled).extracting(UsageRecord::seq).containsExactly(1L, 2L, 3L);
        // kill -9: no close, no ack.

        UsageSpool reopened = UsageSpool.open(dir);

        assertThat(reopened.pending(100)).isEqualTo(spooled);
        assertThat(reopened.cursor(A)).get().satisfies(c -> {
            assertThat(c.at()).isEqualTo(T0.plusSeconds(20));
            assertThat(c.calls()).isEqualTo(8);
        });
        assertThat(reopened.cursor(B)).get().satisfies(c -> assertThat(c.calls()).isEqualTo(7));
        assertThat(reopened.append(List.of(entry(B, 10, 1)))).extracting(UsageRecord::seq).containsExactly(4L);
    }

    @Test
    void deliversOldestFirstInBatchesAndDropsWhatIsAcknowledged() throws IOException {
        UsageSpool spool = UsageSpool.open(dir);
        for (int i = 0; i < 5; i++) {
            spool.append(List.of(entry(A, i * 10, 1)));
        }

        assertThat(spool.pending(2)).extracting(UsageRecord::seq).containsExactly(1L, 2L);
        spool.acknowledge(2);
        assertThat(spool.pending(10)).extracting(UsageRecord::seq).containsExactly(3L, 4L, 5L);
        spool.acknowledge(99);
        assertThat(spool.pending(10)).isEmpty();
        assertThat(spool.ackedThrough()).as("never beyond what was spooled").isEqualTo(5);
        assertThat(segments()).as("acknowledged segments are deleted").isEmpty();
    }

    @Test
    void neverReusesASeqAfterCompactionAndRestartAndKeepsTheLatestCursor() throws IOException {
        UsageSpool spool = UsageSpool.open(dir);
        spool.append(List.of(entry(A, 0, 5), entry(B, 0, 2)));
        spool.append(List.of(entry(A, 10, 4)));
        spool.acknowledge(3);
        assertThat(segments()).isEmpty();

        UsageSpool reopened = UsageSpool.open(dir);

        assertThat(reopened.pending(10)).isEmpty();
        assertThat(reopened.cursor(A)).get().satisfies(c -> assertThat(c.calls()).isEqualTo(9));
        assertThat(reopened.cursor(B)).get().satisfies(c -> assertThat(c.calls()).isEqualTo(2));
        assertThat(reopened.append(List.of(entry(A, 20, 1)))).extracting(UsageRecord::seq).containsExactly(4L);
        UsageSpool again = UsageSpool.open(dir);
        assertThat(again.append(List.of(entry(A, 30, 1)))).extracting(UsageRecord::seq).containsExactly(5L);
    }

    @Test
    void ignoresATornLastLineAndAppendsAfterTheLastGoodOne() throws IOException {
        UsageSpool spool = UsageSpool.open(dir);
        spool.append(List.of(entry(A, 0, 5)));
        spool.append(List.of(entry(A, 10, 6)));
        Path segment = segments().get(0);
        byte[] good = Files.readAllBytes(segment);
        // A crash mid-append: the start of a third line, and a line whose bytes never made it (zeros).
        byte[] torn = new SpoolCodec().encode(entry(A, 20, 100));
        Files.write(segment, java.util.Arrays.copyOf(torn, torn.length / 2), StandardOpenOption.APPEND);

        UsageSpool reopened = UsageSpool.open(dir);

        assertThat(Files.readAllBytes(segment)).isEqualTo(good);
        assertThat(reopened.pending(10)).extracting(UsageRecord::seq).containsExactly(1L, 2L);
        assertThat(reopened.cursor(A)).get().satisfies(c -> assertThat(c.calls()).isEqualTo(11));
        assertThat(reopened.append(List.of(entry(A, 20, 1)))).extracting(UsageRecord::seq).containsExactly(3L);
        assertThat(UsageSpool.open(dir).pending(10)).extracting(UsageRecord::seq).containsExactly(1L, 2L, 3L);
    }

    @Test
    void rejectsALineWhoseChecksumDoesNotMatch() throws IOException {
        UsageSpool spool = UsageSpool.open(dir);
        spool.append(List.of(entry(A, 0, 5)));
        spool.append(List.of(entry(A, 10, 6)));
        Path segment = segments().get(0);
        String text = Files.readString(segment);
        // Same length, one digit of the second line's JSON changed: only the checksum can tell.
        int second = text.indexOf('\n') + 1;
        int digit = text.indexOf("\"requests\":6", second) + "\"requests\":".length();
        Files.writeString(segment, text.substring(0, digit) + "9" + text.substring(digit + 1));

        assertThat(UsageSpool.open(dir).pending(10)).extracting(UsageRecord::seq).containsExactly(1L);
    }

    @Test
    void startsNewSegmentsAndDeletesOnlyFullyAcknowledgedOnes() throws IOException {
        UsageSpool spool = UsageSpool.open(dir);
        List<SpoolEntry> many = new ArrayList<>();
        for (int i = 0; i < SpoolSegments.SEGMENT_RECORDS + 10; i++) {
            many.add(entry(A, i, 1));
        }
        spool.append(many.subList(0, SpoolSegments.SEGMENT_RECORDS));
        spool.append(many.subList(SpoolSegments.SEGMENT_RECORDS, many.size()));
        assertThat(segments()).hasSize(2);

        spool.acknowledge(SpoolSegments.SEGMENT_RECORDS - 1);
        assertThat(segments()).hasSize(2);
        spool.acknowledge(SpoolSegments.SEGMENT_RECORDS);
        assertThat(segments()).hasSize(1);

        UsageSpool reopened = UsageSpool.open(dir);
        assertThat(reopened.pending(1000)).hasSize(10).first()
                .satisfies(r -> assertThat(r.seq()).isEqualTo(SpoolSegments.SEGMENT_RECORDS + 1));
    }

    @Test
    void keepsADeletedComputesRecordsButForgetsItsCursor() throws IOException {
        UsageSpool spool = UsageSpool.open(dir);
        spool.append(List.of(entry(A, 0, 5), entry(B, 0, 1)));
        spool.forget(A);

        assertThat(spool.pending(10)).extracting(UsageRecord::computeId).containsExactly(A, B);
        spool.acknowledge(2);
        assertThat(UsageSpool.open(dir).computes()).containsExactly(B);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
        }
    }

    /** A window of {@code calls} requests from {@code T0 + startSecond}, 10 s long, and the cursor after it. */
    private SpoolEntry entry(UUID compute, int startSecond, long calls) {
        Instant from = T0.plusSeconds(startSecond);
        Instant to = from.plusSeconds(10);
        long before = 0;
        for (SpoolEntry e : history) {
            if (e.cursor().computeId().equals(compute)) {
                before = e.cursor().calls();
            }
        }
        UsageCursor cursor = new UsageCursor(compute, to, T0.minusSeconds(3600), T0.minusSeconds(3600), 0, before + calls,
                0, 0, 8_000_000, BigDecimal.ONE, 0, 0);
        SpoolEntry entry = new SpoolEntry(new UsageRecord(0, compute, from, to, calls, 0, 0, new BigDecimal("10.000"),
                8_000_000, 80_000_000, 0, true, "pg_stat_statements"), cursor);
        history.add(entry);
        return entry;
    }

    private final List<SpoolEntry> history = new ArrayList<>();

    private static List<UsageRecord> concat(List<UsageRecord> a, List<UsageRecord> b) {
        List<UsageRecord> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
