package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.web.ApiException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DatabaseRequestsTests {

    private final DatabaseRequests requests = new DatabaseRequests(new StratusSettings(Path.of("."), null, null,
            new BigDecimal("8"), new BigDecimal("0.25"), "15", 20, Duration.ofMinutes(10), Duration.ofSeconds(30), 65536));

    @Test
    void acceptsValidRequestAndAppliesDefaultRelease() {
        var v = requests.validate(new DatabaseRequests.CreateDatabaseRequest("shop_1", new BigDecimal("0.50"), new BigDecimal("8"), null, null));
        assertThat(v.release()).isEqualTo("15");
        assertThat(v.minCu()).isEqualByComparingTo("0.5");
    }

    @Test
    void reportsEveryBadFieldAtOnce() {
        assertThatThrownBy(() -> requests.validate(new DatabaseRequests.CreateDatabaseRequest("Bad", new BigDecimal("0.3"),
                new BigDecimal("100"), "x", 5)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errors())
                        .extracting(ApiException.FieldError::field).containsExactlyInAnyOrder("name", "minCu", "maxCu", "release", "suspendTimeoutSeconds"));
    }

    @Test
    void ownerRoleStaysWithinIdentifierLimit() {
        assertThat(DatabaseRequests.ownerRoleFor("a".repeat(63))).hasSize(63).endsWith("_owner");
        assertThat(DatabaseRequests.ownerRoleFor("shop")).isEqualTo("shop_owner");
    }
}
