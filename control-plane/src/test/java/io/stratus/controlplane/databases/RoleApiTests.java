package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import org.junit.jupiter.api.Test;

/** What {@code /v1/databases/{id}/roles} refuses, each with a problem naming why, and changes nothing for. */
class RoleApiTests extends ControlPlaneTest {

    /** A major no test node runs (agents could): the database waits unplaced, so nothing waits on an agent here. */
    private String unplaced(TestTenant t, String name) {
        var r = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", name, "minCu", 0.25, "maxCu", 1,
                "release", "18"));
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        return r.at("/database/id").asString();
    }

    @Test
    void badNamesAndMissingFieldsAreProblemsNamingTheFieldAndCreateNothing() {
        TestTenant t = newTenant();
        String db = unplaced(t, "roles_a");
        long before = count("database_roles");

        for (String body : new String[] {
                ApiClient.json("name", "Reporting", "readOnly", true),
                ApiClient.json("name", "pg_monitor", "readOnly", true),
                ApiClient.json("name", "stratus_agent", "readOnly", true),
                ApiClient.json("name", "x\"; drop role y; --", "readOnly", true),
                ApiClient.json("readOnly", true),
                ApiClient.json("name", "reporting"),
                "{\"name\":\"reporting\",\"readOnly\":\"yes\"}"}) {
            var r = api().post(t.adminKey(), "/v1/databases/" + db + "/roles", body);
            assertThat(r.status()).as(body + " -> " + r.raw()).isEqualTo(400);
            assertThat(r.contentType()).contains("application/problem+json");
            assertThat(r.raw()).contains("\"field\"");
        }
        assertThat(count("database_roles")).isEqualTo(before);
    }

    @Test
    void aSecondRoleOfTheSameNameOrTheOwnersNameIsAConflict() {
        TestTenant t = newTenant();
        String db = unplaced(t, "roles_b");
        var first = api().post(t.adminKey(), "/v1/databases/" + db + "/roles", ApiClient.json("name", "app",
                "readOnly", false));
        assertThat(first.status()).as(first.raw()).isEqualTo(201);
        assertThat(first.at("/operation/state").asString()).as("applied when the database gets a node")
                .isEqualTo("PENDING");

        var again = api().post(t.adminKey(), "/v1/databases/" + db + "/roles", ApiClient.json("name", "app",
                "readOnly", true));
        var owner = api().post(t.adminKey(), "/v1/databases/" + db + "/roles", ApiClient.json("name", "roles_b_owner",
                "readOnly", true));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.raw()).contains("role-exists");
        assertThat(owner.status()).isEqualTo(409);
        assertThat(api().get(t.readKey(), "/v1/databases/" + db + "/roles").json()).hasSize(1);
    }

    @Test
    void aDatabaseHoldsAtMostTwentyRolesBesideItsOwner() {
        TestTenant t = newTenant();
        String db = unplaced(t, "roles_c");
        for (int i = 0; i < DatabaseRoles.MAX_ROLES; i++) {
            assertThat(api().post(t.adminKey(), "/v1/databases/" + db + "/roles", ApiClient.json("name", "r" + i,
                    "readOnly", true)).status()).isEqualTo(201);
        }

        var one = api().post(t.adminKey(), "/v1/databases/" + db + "/roles", ApiClient.json("name", "one_more",
                "readOnly", true));

        assertThat(one.status()).isEqualTo(409);
        assertThat(one.raw()).contains("quota-exceeded");
    }

    @Test
    void aReadKeyMayListButNotCreateOrRemove() {
        TestTenant t = newTenant();
        String db = unplaced(t, "roles_d");
        assertThat(api().post(t.adminKey(), "/v1/databases/" + db + "/roles", ApiClient.json("name", "kept",
                "readOnly", true)).status()).isEqualTo(201);

        assertThat(api().post(t.readKey(), "/v1/databases/" + db + "/roles", ApiClient.json("name", "other",
                "readOnly", true)).status()).isEqualTo(403);
        assertThat(api().delete(t.readKey(), "/v1/databases/" + db + "/roles/kept").status()).isEqualTo(403);
        assertThat(api().get(t.readKey(), "/v1/databases/" + db + "/roles").json()).hasSize(1);
    }

    @Test
    void aDeletedDatabaseTakesNoRoles() {
        TestTenant t = newTenant();
        String db = unplaced(t, "roles_e");
        assertThat(api().delete(t.adminKey(), "/v1/databases/" + db).status()).isEqualTo(202);

        var r = api().post(t.adminKey(), "/v1/databases/" + db + "/roles", ApiClient.json("name", "late",
                "readOnly", true));

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.raw()).contains("database-deleted");
    }
}
