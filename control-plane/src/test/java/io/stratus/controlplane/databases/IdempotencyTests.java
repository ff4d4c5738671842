package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class IdempotencyTests extends ControlPlaneTest {

    private static final String BODY = "{\"name\":\"idem\",\"minCu\":0.25,\"maxCu\":1}";

    @Test
    void retryWithSameKeyAndBodyReturnsTheSameOperationAndOneDatabase() {
        TestTenant t = newTenant();
        var first = api().post(t.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "retry-1"));
        var again = api().post(t.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "retry-1"));
        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.at("/operation/id").asString()).isEqualTo(first.at("/operation/id").asString());
        assertThat(again.at("/database/id").asString()).isEqualTo(first.at("/database/id").asString());
        // The retry gets a usable password: a fresh one, since the first was never stored.
        assertThat(again.at("/connection/password").asString()).isNotBlank()
                .isNotEqualTo(first.at("/connection/password").asString());
        assertThat(api().get(t.adminKey(), "/v1/databases").json().get("total").asLong()).isEqualTo(1);
    }

    @Test
    void sameKeyWithADifferentBodyIsRejected() {
        TestTenant t = newTenant();
        api().post(t.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "k"));
        var r = api().post(t.adminKey(), "/v1/databases", BODY.replace("1}", "2}"), Map.of("Idempotency-Key", "k"));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.contentType()).contains("application/problem+json");
        assertThat(api().get(t.adminKey(), "/v1/databases").json().get("total").asLong()).isEqualTo(1);
    }

    // Twenty at once used to deadlock two of them on the live-name index (500s): same-key requests now take turns.
    @Test
    void concurrentRetriesWithOneKeyCreateOneDatabase() throws Exception {
        TestTenant t = newTenant();
        // A ready node that takes them, as in a running fleet (placement locks its row too). It offers a release of
        // its own, so no other test's database lands on it.
        String release = "16." + (200_000_000 + new java.util.Random().nextInt(100_000_000));
        var node = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"race-" + java.util.UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z1\",\"capacityCu\":100,\"releases\":[\"" + release
                + "\"],\"frontDoorPort\":6432}");
        assertThat(node.status()).as(node.raw()).isEqualTo(201);
        String body = BODY.replace("}", ",\"release\":\"" + release + "\"}");
        var pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<Integer>> tries = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                tries.add(() -> api().post(t.adminKey(), "/v1/databases", body, Map.of("Idempotency-Key", "race")).status());
            }
            for (Future<Integer> f : pool.invokeAll(tries)) {
                assertThat(f.get()).isEqualTo(202);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(api().get(t.adminKey(), "/v1/databases").json().get("total").asLong()).isEqualTo(1);
    }

    @Test
    void keysAreScopedToTheTenant() {
        TestTenant a = newTenant();
        TestTenant b = newTenant();
        var ra = api().post(a.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "shared"));
        var rb = api().post(b.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "shared"));
        assertThat(rb.status()).isEqualTo(202);
        assertThat(rb.at("/database/id").asString()).isNotEqualTo(ra.at("/database/id").asString());
    }
}
