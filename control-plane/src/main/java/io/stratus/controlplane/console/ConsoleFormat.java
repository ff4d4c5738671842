package io.stratus.controlplane.console;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * How the console writes values, as {@code ${@fmt...}} in its templates: times in UTC with the zone named, ages,
 * CU, bytes and money, and an empty value as a dash rather than a blank that could be mistaken for zero.
 */
@Component("fmt")
class ConsoleFormat {

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final String NONE = "—";

    private final Clock clock;
    private final JsonMapper json;

    ConsoleFormat(Clock clock, JsonMapper json) {
        this.clock = clock;
        this.json = json;
    }

    /** A value as JSON, for a chart's data attribute (Thymeleaf escapes it for the attribute). */
    public String json(Object value) {
        return json.writeValueAsString(value);
    }

    /** {@code 2026-12-08 01:22:26 UTC}. */
    public String utc(Instant at) {
        return at == null ? NONE : UTC.format(at);
    }

    /** ISO-8601, for {@code <time datetime>}. */
    public String iso(Instant at) {
        return at == null ? "" : at.toString();
    }

    /** How long ago: {@code 4 s ago}, {@code 3 min ago}, {@code 2 h ago}, {@code 5 d ago}. */
    public String ago(Instant at) {
        if (at == null) {
            return "never";
        }
        long s = Math.max(0, Duration.between(at, clock.instant()).toSeconds());
        return s < 120 ? s + " s ago" : s < 7200 ? s / 60 + " min ago" : s < 172800 ? s / 3600 + " h ago"
                : s / 86400 + " d ago";
    }

    /** A duration from {@code from} to {@code to} (or now): {@code 42 s}, {@code 3 min 5 s}. */
    public String took(Instant from, Instant to) {
        if (from == null) {
            return NONE;
        }
        long s = Math.max(0, Duration.between(from, to == null ? clock.instant() : to).toSeconds());
        return s < 60 ? s + " s" : s < 3600 ? s / 60 + " min " + s % 60 + " s" : s / 3600 + " h " + s % 3600 / 60 + " min";
    }

    /** Whether an operation opened at {@code since} has been open for longer than {@code seconds}: worth a look. */
    public boolean openLongerThan(Instant since, Instant finishedAt, long seconds) {
        return since != null && finishedAt == null && Duration.between(since, clock.instant()).toSeconds() > seconds;
    }

    public String cu(BigDecimal cu) {
        return cu == null ? NONE : cu.stripTrailingZeros().toPlainString();
    }

    /** A decimal rounded for reading ({@code places} decimals at most). */
    public String num(BigDecimal value, int places) {
        return value == null ? NONE : value.setScale(places, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** Money with its currency: {@code 12.34 USD}. */
    public String money(BigDecimal amount, String currency) {
        return amount == null ? NONE : amount.toPlainString() + " " + currency;
    }

    /** 1.5 GB (10^9 bytes, the usage API's unit). */
    public String bytes(long bytes) {
        if (bytes < 1_000_000) {
            return bytes < 1000 ? bytes + " B" : bytes / 1000 + " kB";
        }
        return bytes < 1_000_000_000L ? BigDecimal.valueOf(bytes, 6).setScale(1, RoundingMode.HALF_UP) + " MB"
                : BigDecimal.valueOf(bytes, 9).setScale(2, RoundingMode.HALF_UP) + " GB";
    }

    /** A UUID's first eight characters, for tables (the full id is in the link and the title). */
    public String shortId(Object id) {
        return id == null ? NONE : id.toString().substring(0, Math.min(8, id.toString().length()));
    }
}
