package io.stratus.agent.computes;

import io.stratus.protocol.ComputeSpec;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which step each field of a {@link ComputeSpec} forces when it changes: the one place this is decided. Fields are
 * read from the record itself, so a field added to the spec without a rule here stops the agent at start (and fails
 * {@code SpecFieldsTests}), instead of being silently never applied.
 */
final class SpecFields {

    /** The least a change of a field takes. */
    enum Step {
        /**
         * Applied to a running compute in place: cgroup limits, the settings that follow CU, a reload, the storage
         * limit checked.
         */
        CAPACITY,
        /** A full pass: catalog checks, settings, a restart where a setting needs one, the login probe. */
        FULL
    }

    static final Map<String, Step> RULES = Map.ofEntries(
            Map.entry("computeId", Step.FULL),
            Map.entry("databaseName", Step.FULL),
            Map.entry("ownerRole", Step.FULL),
            Map.entry("ownerVerifier", Step.FULL),
            Map.entry("running", Step.FULL),
            Map.entry("cu", Step.CAPACITY),
            // Sizes settings that need a restart (shared_buffers, max_connections).
            Map.entry("minCu", Step.FULL),
            Map.entry("maxCu", Step.FULL),
            Map.entry("release", Step.FULL),
            // Roles live in the catalog (and pg_hba.conf): the full pass ensures them.
            Map.entry("roles", Step.FULL),
            // Rewrites shared_preload_libraries (taken at the next start) and creates the extension.
            Map.entry("pgStatStatements", Step.FULL),
            // Checked in place (StorageSteps): a restart or a promotion only when the limit is crossed.
            Map.entry("storageLimitBytes", Step.CAPACITY),
            // Read only while the compute has no data directory (it is made from the backup); never changes after.
            Map.entry("restore", Step.FULL),
            // The operator's settings (a rolling update): written, reloaded or restarted onto, checked (RestartSwitch).
            Map.entry("settings", Step.FULL),
            // Bookkeeping: reported back once applied, nothing to do on the compute.
            Map.entry("specVersion", Step.CAPACITY));

    /**
     * Fields whose change leaves the catalog as the last full application made it (owner, database, roles,
     * extensions): a planned restart onto a release or settings skips the catalog checks when nothing else changed,
     * which is a third of its downtime.
     */
    static final Set<String> OUTSIDE_CATALOG = Set.of("release", "settings", "specVersion", "cu", "minCu", "maxCu",
            "storageLimitBytes");

    private static final RecordComponent[] COMPONENTS = ComputeSpec.class.getRecordComponents();

    static {
        Set<String> fields = Arrays.stream(COMPONENTS).map(RecordComponent::getName).collect(Collectors.toSet());
        if (!fields.equals(RULES.keySet())) {
            Set<String> unruled = new TreeSet<>(fields);
            unruled.removeAll(RULES.keySet());
            Set<String> stale = new TreeSet<>(RULES.keySet());
            stale.removeAll(fields);
            throw new IllegalStateException("ComputeSpec fields without a rule in SpecFields: " + unruled
                    + "; rules for fields it no longer has: " + stale);
        }
        if (!fields.containsAll(OUTSIDE_CATALOG)) {
            throw new IllegalStateException("SpecFields.OUTSIDE_CATALOG names fields ComputeSpec does not have");
        }
    }

    private SpecFields() {
    }

    /** The names of the fields whose values differ (numbers by value: 1 and 1.00 are the same CU). */
    static Set<String> changed(ComputeSpec from, ComputeSpec to) {
        Set<String> changed = new TreeSet<>();
        for (RecordComponent c : COMPONENTS) {
            if (!same(read(c, from), read(c, to))) {
                changed.add(c.getName());
            }
        }
        return changed;
    }

    /** Whether the catalog is as the last full application of {@code applied} left it, for {@code spec}. */
    static boolean catalogAsApplied(ComputeSpec applied, ComputeSpec spec) {
        return OUTSIDE_CATALOG.containsAll(changed(applied, spec));
    }

    /** The step the changed fields take together: the largest any of them needs. */
    static Step stepFor(Set<String> changedFields) {
        return changedFields.stream().map(RULES::get).anyMatch(Step.FULL::equals) ? Step.FULL : Step.CAPACITY;
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        return Objects.equals(a, b);
    }

    private static Object read(RecordComponent c, ComputeSpec spec) {
        try {
            return c.getAccessor().invoke(spec);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read ComputeSpec." + c.getName(), e);
        }
    }
}
