package io.stratus.controlplane.tenants;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import org.junit.jupiter.api.Test;

/** A tenant's end: keys revoked, databases deleted, all in one go; what was billed stays readable. */
class TenantDeletionTests extends ControlPlaneTest {

    @Test
    void deletingATenantRevokesItsKeysDeletesItsDatabasesAndKeepsItsRecords() {
        TestTenant t = newTenant();
        TestTenant other = newTenant();
        String first = createDatabase(t, "first").at("/database/id").asString();
        String second = createDatabase(t, "second").at("/database/id").asString();
        String theirs = createDatabase(other, "theirs").at("/database/id").asString();

        var deleted = api().delete(OPERATOR_KEY, "/v1/tenants/" + t.id());

        assertThat(deleted.status()).as(deleted.raw()).isEqualTo(202);
        assertThat(deleted.text("state")).isEqualTo("DELETED");
        assertThat(api().get(t.adminKey(), "/v1/databases").status()).as("its keys stop at once").isEqualTo(401);
        assertThat(api().get(t.readKey(), "/v1/databases").status()).isEqualTo(401);
        assertThat(jdbc.queryForObject("select count(*) from databases where id in (?::uuid, ?::uuid)"
                + " and state in ('DELETING', 'DELETED')", Integer.class, first, second)).isEqualTo(2);
        assertThat(jdbc.queryForObject("select count(*) from operations where database_id in (?::uuid, ?::uuid)"
                + " and type = 'DELETE_DATABASE'", Integer.class, first, second)).isEqualTo(2);
        assertThat(api().get(other.readKey(), "/v1/databases/" + theirs).text("state"))
                .as("another tenant's database untouched").isNotIn("DELETING", "DELETED");
        assertThat(api().get(OPERATOR_KEY, "/v1/tenants/" + t.id()).text("state")).isEqualTo("DELETED");
        var usage = api().get(OPERATOR_KEY, "/v1/tenants/" + t.id() + "/usage");
        assertThat(usage.status()).as("what it used stays readable: " + usage.raw()).isEqualTo(200);

        var again = api().delete(OPERATOR_KEY, "/v1/tenants/" + t.id());
        var newKey = api().post(OPERATOR_KEY, "/v1/tenants/" + t.id() + "/api-keys", ApiClient.json("role",
                "tenant-admin"));

        assertThat(again.status()).isEqualTo(202);
        assertThat(newKey.status()).isEqualTo(409);
        assertThat(newKey.raw()).contains("tenant-deleted");
    }

    @Test
    void onlyTheOperatorDeletesATenantAndAnUnknownOneIsNotFound() {
        TestTenant t = newTenant();

        assertThat(api().delete(t.adminKey(), "/v1/tenants/" + t.id()).status()).isEqualTo(403);
        assertThat(api().delete(OPERATOR_KEY, "/v1/tenants/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(api().get(t.adminKey(), "/v1/databases").status()).isEqualTo(200);
    }
}
