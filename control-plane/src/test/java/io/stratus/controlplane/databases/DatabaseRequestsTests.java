package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.RequestValidation;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorFactory;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DatabaseRequestsTests {

    private final StratusSettings settings = new StratusSettings(Path.of("."), null, null, new BigDecimal("8"),
            new BigDecimal("0.25"), "15", 20, Duration.ofMinutes(10), Duration.ofSeconds(30), 65536);
    private final DatabaseRequests requests = new DatabaseRequests(settings, new RequestValidation(validator(settings)));

    /** Bean Validation as the application configures it: constraint validators get their settings injected. */
    private static Validator validator(StratusSettings settings) {
        ConstraintValidatorFactory factory = new ConstraintValidatorFactory() {
            @Override
            public <T extends ConstraintValidator<?, ?>> T getInstance(Class<T> key) {
                try {
                    if (key == CuAmount.Validator.class) {
                        return key.cast(new CuAmount.Validator(settings));
                    }
                    var constructor = key.getDeclaredConstructor();
                    constructor.setAccessible(true);
                    return constructor.newInstance();
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void releaseInstance(ConstraintValidator<?, ?> instance) {
            }
        };
        return Validation.byDefaultProvider().configure().constraintValidatorFactory(factory).buildValidatorFactory()
                .getValidator();
    }

    @Test
    void acceptsValidRequestAndAppliesDefaultRelease() {
        var v = requests.validate(new DatabaseRequests.CreateDatabaseRequest("shop_1", new BigDecimal("0.50"), new BigDecimal("8"), null, null, null));
        assertThat(v.release()).isEqualTo("15");
        assertThat(v.minCu()).isEqualByComparingTo("0.5");
    }

    @Test
    void reportsEveryBadFieldAtOnce() {
        assertThatThrownBy(() -> requests.validate(new DatabaseRequests.CreateDatabaseRequest("Bad", new BigDecimal("0.3"),
                new BigDecimal("100"), "x", 5, null)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errors())
                        .extracting(ApiException.FieldError::field).containsExactlyInAnyOrder("name", "minCu", "maxCu", "release", "suspendTimeoutSeconds"));
    }

    // The messages clients see, braces of the name's pattern included (Bean Validation would read {0,62} as a
    // parameter if it were not escaped).
    @Test
    void saysWhatIsWrongWithEachField() {
        assertThatThrownBy(() -> requests.validate(new DatabaseRequests.CreateDatabaseRequest("Bad", null,
                new BigDecimal("0.3"), "latest", 5, null)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errors()).containsExactly(
                        new ApiException.FieldError("name",
                                "must match ^[a-z][a-z0-9_]{0,62}$ (lower-case letter, then letters, digits or _)"),
                        new ApiException.FieldError("minCu", "is required"),
                        new ApiException.FieldError("maxCu", "must be a multiple of 0.25"),
                        new ApiException.FieldError("release", "must be a Postgres version such as 15 or 17.6"),
                        new ApiException.FieldError("suspendTimeoutSeconds",
                                "must be 0 (never suspend) or between 10 and 604800")));
        assertThatThrownBy(() -> requests.validate(new DatabaseRequests.CreateDatabaseRequest("pg_shop",
                new BigDecimal("2"), new BigDecimal("1"), null, null, null)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errors()).containsExactly(
                        new ApiException.FieldError("name", "is reserved"),
                        new ApiException.FieldError("minCu", "must not exceed maxCu")));
        assertThatThrownBy(() -> requests.validate(new DatabaseRequests.CreateDatabaseRequest("shop",
                new BigDecimal("0.25"), new BigDecimal("9"), null, null, null)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errors()).containsExactly(
                        new ApiException.FieldError("maxCu", "must be between 0.25 and 8")));
    }

    @Test
    void anUpdateIsCheckedAgainstTheCurrentRange() {
        assertThatThrownBy(() -> requests.validateUpdate(new DatabaseRequests.UpdateDatabaseRequest(new BigDecimal("4"),
                null, null, null), new BigDecimal("0.25"), new BigDecimal("2")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errors()).containsExactly(
                        new ApiException.FieldError("minCu", "minCu must not exceed maxCu")));
        assertThatThrownBy(() -> requests.validateUpdate(new DatabaseRequests.UpdateDatabaseRequest(null, null, null, null),
                BigDecimal.ONE, BigDecimal.ONE))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errors()).extracting(ApiException.FieldError::field)
                        .containsExactly("body"));
        requests.validateUpdate(new DatabaseRequests.UpdateDatabaseRequest(null, new BigDecimal("4"), 0, null),
                new BigDecimal("0.25"), new BigDecimal("2"));
    }

    @Test
    void ownerRoleStaysWithinIdentifierLimit() {
        assertThat(DatabaseRequests.ownerRoleFor("a".repeat(63))).hasSize(63).endsWith("_owner");
        assertThat(DatabaseRequests.ownerRoleFor("shop")).isEqualTo("shop_owner");
    }
}
