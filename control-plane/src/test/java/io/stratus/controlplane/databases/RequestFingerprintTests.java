package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.databases.DatabaseRequests.ValidCreate;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestFingerprintTests {

    /** A value of each component type, and another: extend this when the request gains a field of a new type. */
    private static final Map<Class<?>, Object[]> VALUES = Map.of(
            String.class, new Object[] {"shop", "shop2"},
            BigDecimal.class, new Object[] {new BigDecimal("0.25"), new BigDecimal("0.5")},
            int.class, new Object[] {300, 301},
            Integer.class, new Object[] {300, 301},
            boolean.class, new Object[] {false, true});

    // A replay with the same Idempotency-Key and a different body must be refused: every field of the request,
    // whichever it is and however many there are, changes the fingerprint.
    @Test
    void everyFieldOfTheCreateRequestIsPartOfTheFingerprint() throws Exception {
        RecordComponent[] components = ValidCreate.class.getRecordComponents();
        Constructor<ValidCreate> constructor = ValidCreate.class.getDeclaredConstructor(
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        Object[] base = Arrays.stream(components).map(c -> value(c, 0)).toArray();
        String baseFingerprint = RequestFingerprint.of(constructor.newInstance(base));

        assertThat(RequestFingerprint.of(constructor.newInstance(base.clone()))).as("same request, same fingerprint")
                .isEqualTo(baseFingerprint);
        for (int i = 0; i < components.length; i++) {
            Object[] changed = base.clone();
            changed[i] = value(components[i], 1);
            assertThat(RequestFingerprint.of(constructor.newInstance(changed))).as(components[i].getName())
                    .isNotEqualTo(baseFingerprint);
        }
    }

    @Test
    void aFingerprintIsTheSameAcrossReleasesForTheSameRequest() {
        // Fingerprints stored before it was derived from the record: a replay after an upgrade still matches.
        ValidCreate request = new ValidCreate("shop", new BigDecimal("0.25"), new BigDecimal("2"), "17", 300, false);
        assertThat(RequestFingerprint.of(request))
                .isEqualTo(sha256("shop|0.25|2|17|300"));
    }

    private static Object value(RecordComponent component, int which) {
        Object[] values = VALUES.get(component.getType());
        assertThat(values).as("a test value for %s (%s)", component.getName(), component.getType()).isNotNull();
        return values[which];
    }

    private static String sha256(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
