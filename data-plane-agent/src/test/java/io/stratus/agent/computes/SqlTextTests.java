package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.agent.Scram;
import io.stratus.protocol.ComputeSpec;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqlTextTests {

    @Test
    void quotesValidIdentifiers() {
        assertThat(SqlText.identifier("app_owner1")).isEqualTo("\"app_owner1\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "App", "1app", "app-db", "app\"; DROP ROLE x; --", "app owner", "ä",
            "a234567890123456789012345678901234567890123456789012345678901234"})
    void rejectsAnythingElseAsIdentifier(String name) {
        assertThatThrownBy(() -> SqlText.identifier(name)).isInstanceOf(ComputeFailure.class);
    }

    @Test
    void acceptsARealVerifierAsLiteral() {
        String verifier = Scram.verifier("pw");

        assertThat(SqlText.verifierLiteral(verifier)).isEqualTo("'" + verifier + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain-password", "md5abcdef", "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5' OR '1'='1",
            "SCRAM-SHA-256$0:c2FsdA==$a2V5:a2V5", "SCRAM-SHA-256$4096:c2FsdA==$a2V5"})
    void rejectsAnythingButAScramVerifier(String verifier) {
        assertThatThrownBy(() -> SqlText.verifierLiteral(verifier)).isInstanceOf(ComputeFailure.class);
    }

    @Test
    void doublesSingleQuotesInLiterals() {
        assertThat(SqlText.literal("it's")).isEqualTo("'it''s'");
    }

    @Test
    void rejectsReservedNamesInSpecs() {
        assertThatThrownBy(() -> SqlText.validate(spec("postgres", "owner"))).hasMessageContaining("reserved");
        assertThatThrownBy(() -> SqlText.validate(spec("app", "stratus_agent"))).hasMessageContaining("reserved");
        assertThatThrownBy(() -> SqlText.validate(spec("app", "pg_monitor"))).hasMessageContaining("reserved");
    }

    private static ComputeSpec spec(String db, String owner) {
        return TestSpecs.app().databaseName(db).ownerRole(owner).ownerVerifier(Scram.verifier("pw"))
                .minCu(BigDecimal.ONE).maxCu(BigDecimal.ONE).specVersion(1).build();
    }
}
