package io.stratus.controlplane.updates;

import io.stratus.controlplane.web.ApiException.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Postgres settings an operator may roll out, each with the values it takes. Only settings whose change a
 * reload or a restart applies safely, and none that Stratus sizes itself (memory, connections, the socket, preloaded
 * libraries, which follow the CU or the platform): an arbitrary setting could take a compute down or out of the
 * platform's reach ({@code listen_addresses}, {@code archive_command}). Values are checked here, and the agent checks
 * what the server made of them again (a refused value is rolled back).
 */
final class SettingsAllowList {

    private static final Pattern DURATION = Pattern.compile("^(-?\\d+)(ms|s|min|h|d)?$");
    private static final Pattern MEMORY = Pattern.compile("^(\\d+)(kB|MB|GB)$");
    private static final Pattern NUMBER = Pattern.compile("^\\d+(\\.\\d+)?$");
    private static final Pattern INTEGER = Pattern.compile("^\\d+$");
    private static final long DAY_MS = 86_400_000L;

    /** How one setting's value is read and bounded. */
    sealed interface Rule permits Duration, Memory, Integer, Real, Choice {
        /** Null when the value is good, else what is wrong with it. */
        String check(String value);
    }

    /** A time in milliseconds, written as Postgres takes it ({@code 30s}, {@code 500ms}, {@code 5min}, a bare ms). */
    record Duration(long minMs, long maxMs) implements Rule {
        @Override
        public String check(String value) {
            Matcher m = DURATION.matcher(value);
            if (!m.matches()) {
                return "must be a duration such as 30s, 500ms or 5min";
            }
            long n = Long.parseLong(m.group(1));
            long ms = switch (m.group(2) == null ? "ms" : m.group(2)) {
                case "s" -> n * 1000;
                case "min" -> n * 60_000;
                case "h" -> n * 3_600_000;
                case "d" -> n * DAY_MS;
                default -> n;
            };
            return ms < minMs || ms > maxMs ? "must be between " + minMs + "ms and " + maxMs + "ms" : null;
        }
    }

    record Memory(long minKb, long maxKb) implements Rule {
        @Override
        public String check(String value) {
            Matcher m = MEMORY.matcher(value);
            if (!m.matches()) {
                return "must be a size such as 64MB";
            }
            long kb = Long.parseLong(m.group(1)) * switch (m.group(2)) {
                case "MB" -> 1024L;
                case "GB" -> 1024L * 1024;
                default -> 1L;
            };
            return kb < minKb || kb > maxKb ? "must be between " + minKb + "kB and " + maxKb + "kB" : null;
        }
    }

    record Integer(long min, long max) implements Rule {
        @Override
        public String check(String value) {
            if (!INTEGER.matcher(value).matches() || value.length() > 9) {
                return "must be a whole number from " + min + " to " + max;
            }
            long n = Long.parseLong(value);
            return n < min || n > max ? "must be a whole number from " + min + " to " + max : null;
        }
    }

    record Real(double min, double max) implements Rule {
        @Override
        public String check(String value) {
            if (!NUMBER.matcher(value).matches() || value.length() > 12) {
                return "must be a number from " + min + " to " + max;
            }
            double d = Double.parseDouble(value);
            return d < min || d > max ? "must be a number from " + min + " to " + max : null;
        }
    }

    record Choice(Set<String> values) implements Rule {
        @Override
        public String check(String value) {
            return values.contains(value) ? null : "must be one of " + String.join(", ", new java.util.TreeSet<>(values));
        }
    }

    private static final Set<String> ON_OFF = Set.of("on", "off");

    /** Name to rule. Those marked restart are postmaster settings: the agent restarts the compute onto them. */
    static final Map<String, Rule> RULES = Map.ofEntries(
            Map.entry("statement_timeout", new Duration(0, DAY_MS)),
            Map.entry("lock_timeout", new Duration(0, DAY_MS)),
            Map.entry("idle_in_transaction_session_timeout", new Duration(0, DAY_MS)),
            Map.entry("idle_session_timeout", new Duration(0, DAY_MS)),
            Map.entry("log_min_duration_statement", new Duration(-1, DAY_MS)),
            Map.entry("log_statement", new Choice(Set.of("none", "ddl", "mod", "all"))),
            Map.entry("log_lock_waits", new Choice(ON_OFF)),
            Map.entry("track_io_timing", new Choice(ON_OFF)),
            Map.entry("jit", new Choice(ON_OFF)),
            Map.entry("random_page_cost", new Real(0.1, 1000)),
            Map.entry("seq_page_cost", new Real(0.1, 1000)),
            Map.entry("effective_io_concurrency", new Integer(0, 1000)),
            Map.entry("default_statistics_target", new Integer(1, 10000)),
            Map.entry("checkpoint_timeout", new Duration(30_000, DAY_MS)),
            Map.entry("checkpoint_completion_target", new Real(0, 1)),
            Map.entry("max_wal_size", new Memory(32 * 1024, 64L * 1024 * 1024)),
            Map.entry("autovacuum_naptime", new Duration(1000, DAY_MS)),
            // Postmaster context: a restart applies them.
            Map.entry("max_locks_per_transaction", new Integer(10, 10000)),
            Map.entry("max_pred_locks_per_transaction", new Integer(10, 10000)));

    private SettingsAllowList() {
    }

    /** Every bad name or value, each as a field error {@code <prefix>.<name>}; empty when all are good. */
    static List<FieldError> check(Map<String, String> settings, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        new TreeMap<>(settings).forEach((name, value) -> {
            Rule rule = RULES.get(name);
            if (rule == null) {
                errors.add(new FieldError(prefix + "." + name, "is not a setting rolling updates may change (they may: "
                        + String.join(", ", new java.util.TreeSet<>(RULES.keySet())) + ")"));
            } else if (value == null) {
                errors.add(new FieldError(prefix + "." + name, "must have a value"));
            } else {
                String problem = rule.check(value.trim());
                if (problem != null) {
                    errors.add(new FieldError(prefix + "." + name, problem));
                }
            }
        });
        return errors;
    }
}
