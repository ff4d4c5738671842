package io.stratus.controlplane.backups;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.springframework.scheduling.support.CronExpression;

/**
 * A policy's schedule: a 5-field Unix cron ({@code minute hour day-of-month month day-of-week}, UTC), checked strictly
 * and translated into Quartz's form. Quartz counts days of the week from 1 (Sunday), Unix from 0 (and 7 is Sunday
 * again), and Quartz cannot restrict both day fields at once, where Unix fires when either matches: days of the week are
 * written out by name, and a schedule that restricts both day fields is refused rather than run differently than
 * written. Pure: the firing times come from Spring's {@link CronExpression} with a seconds field of 0.
 *
 * @param unix        the schedule as given (names upper-cased, spaces normalised)
 * @param quartz      the same schedule as a Quartz cron expression
 * @param shortestGap the shortest time between two firings
 * @param period      the longest time between two firings: a database whose last good backup is older than twice this
 *                    has missed at least one
 */
record CronSchedule(String unix, String quartz, Duration shortestGap, Duration period) {

    private static final Pattern ITEM = Pattern.compile("(\\*|[0-9A-Z]+(-[0-9A-Z]+)?)(/[0-9]+)?");
    private static final List<String> NAMES = List.of("minute", "hour", "day of month", "month", "day of week");
    private static final int[][] BOUNDS = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}};
    private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("JAN", 1), Map.entry("FEB", 2),
            Map.entry("MAR", 3), Map.entry("APR", 4), Map.entry("MAY", 5), Map.entry("JUN", 6), Map.entry("JUL", 7),
            Map.entry("AUG", 8), Map.entry("SEP", 9), Map.entry("OCT", 10), Map.entry("NOV", 11), Map.entry("DEC", 12));
    private static final Map<String, Integer> DAYS = Map.of("SUN", 0, "MON", 1, "TUE", 2, "WED", 3, "THU", 4, "FRI", 5,
            "SAT", 6);
    /** Enough firings to see every gap of a schedule at most every few minutes over more than a week. */
    private static final int FIRINGS_EXAMINED = 4000;
    /** A fixed start: the gaps of a schedule do not depend on when it was checked. */
    private static final ZonedDateTime FROM = ZonedDateTime.of(2025, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    /**
     * Parses and checks a schedule.
     *
     * @throws IllegalArgumentException with a reason fit for a problem's field error
     */
    static CronSchedule parse(String text, Duration minInterval) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is required: a 5-field cron such as \"0 3 * * *\" (03:00 UTC daily)");
        }
        String[] fields = text.strip().toUpperCase(Locale.ROOT).split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("must be a 5-field cron (minute hour day-of-month month day-of-week), "
                    + "such as \"0 3 * * *\"; got " + fields.length + " field(s)");
        }
        for (int i = 0; i < 5; i++) {
            values(fields[i], i);
        }
        if (!fields[2].equals("*") && !fields[4].equals("*")) {
            throw new IllegalArgumentException("may restrict the day of month or the day of week, not both (cron "
                    + "would fire on either, which is rarely what is meant): use * for one of them");
        }
        String unix = String.join(" ", fields);
        CronExpression expression;
        try {
            expression = CronExpression.parse("0 " + unix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a valid cron: " + e.getMessage());
        }
        Duration shortest = null;
        Duration longest = Duration.ZERO;
        ZonedDateTime previous = expression.next(FROM);
        if (previous == null) {
            throw new IllegalArgumentException("never fires");
        }
        ZonedDateTime horizon = FROM.plusYears(5);
        for (int i = 0; i < FIRINGS_EXAMINED && previous.isBefore(horizon); i++) {
            ZonedDateTime next = expression.next(previous);
            if (next == null) {
                break;
            }
            Duration gap = Duration.between(previous, next);
            shortest = shortest == null || gap.compareTo(shortest) < 0 ? gap : shortest;
            longest = gap.compareTo(longest) > 0 ? gap : longest;
            if (shortest.compareTo(minInterval) < 0) {
                throw new IllegalArgumentException("fires every " + minutes(shortest) + " at times; backups may run at "
                        + "most every " + minutes(minInterval));
            }
            previous = next;
        }
        if (shortest == null) {
            throw new IllegalArgumentException("fires only once");
        }
        String dayOfWeek = fields[4].equals("*") ? "?" : quartzDays(fields[4]);
        String dayOfMonth = fields[4].equals("*") ? fields[2] : "?";
        String quartz = "0 " + fields[0] + " " + fields[1] + " " + dayOfMonth + " " + fields[3] + " " + dayOfWeek;
        return new CronSchedule(unix, quartz, shortest, longest);
    }

    /** What is wrong with the schedule, or null when nothing is. */
    static String problem(String text, Duration minInterval) {
        try {
            parse(text, minInterval);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** Checks each item of a field against its bounds; the days of the week it names when it is that field. */
    private static Set<DayOfWeek> values(String field, int index) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        String name = NAMES.get(index);
        for (String item : field.split(",", -1)) {
            if (!ITEM.matcher(item).matches()) {
                throw new IllegalArgumentException("has a bad " + name + " field '" + field + "': use numbers, "
                        + "ranges (a-b), lists (a,b), * and steps (/n)");
            }
            String[] stepped = item.split("/");
            int step = 1;
            if (stepped.length == 2) {
                step = Integer.parseInt(stepped[1]);
                if (step < 1 || step > BOUNDS[index][1]) {
                    throw new IllegalArgumentException("has a bad step in its " + name + " field: " + item);
                }
            }
            int low = BOUNDS[index][0];
            int high = BOUNDS[index][1];
            if (!stepped[0].equals("*")) {
                String[] range = stepped[0].split("-");
                low = value(range[0], index);
                high = range.length == 2 ? value(range[1], index) : stepped.length == 2 ? BOUNDS[index][1] : low;
                if (high < low) {
                    throw new IllegalArgumentException("has a backwards range in its " + name + " field: " + item);
                }
            }
            for (int v = low; v <= high; v += step) {
                days.add(v % 7 == 0 ? DayOfWeek.SUNDAY : DayOfWeek.of(v % 7));
            }
        }
        return days;
    }

    private static int value(String text, int index) {
        Integer v = index == 3 ? MONTHS.get(text) : index == 4 ? DAYS.get(text) : null;
        if (v == null) {
            if (!text.chars().allMatch(Character::isDigit) || text.length() > 2) {
                throw new IllegalArgumentException("has an unknown value '" + text + "' in its " + NAMES.get(index)
                        + " field");
            }
            v = Integer.parseInt(text);
        }
        if (v < BOUNDS[index][0] || v > BOUNDS[index][1]) {
            throw new IllegalArgumentException("has " + v + " in its " + NAMES.get(index) + " field, outside "
                    + BOUNDS[index][0] + "-" + BOUNDS[index][1]);
        }
        return v;
    }

    private static String quartzDays(String field) {
        StringJoiner names = new StringJoiner(",");
        for (DayOfWeek day : values(field, 4)) {
            names.add(day.name().substring(0, 3));
        }
        return names.toString();
    }

    private static String minutes(Duration d) {
        return d.toMinutes() == 1 ? "minute" : d.toMinutes() + " minutes";
    }
}
