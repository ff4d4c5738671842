package io.stratus.controlplane.fleet;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Fleet-wide defaults the operator's actions move, kept in the metadata database (so every control plane sees them):
 * today the Postgres release of new databases, which a completed rolling update to a release sets. Until one has,
 * {@code stratus.default-release} applies.
 */
@Service
public class FleetDefaults {

    private static final String DEFAULT_RELEASE = "default_release";

    private final JdbcClient jdbc;
    private final Clock clock;

    FleetDefaults(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The release new databases get when they name none; empty while no rolling update has set one. */
    @Transactional(readOnly = true)
    public Optional<String> defaultRelease() {
        return jdbc.sql("select value from fleet_settings where name = ?").param(DEFAULT_RELEASE).query(String.class)
                .optional();
    }

    @Transactional
    public void defaultRelease(String release) {
        jdbc.sql("insert into fleet_settings (name, value, updated_at) values (?, ?, ?) on conflict (name) do update "
                        + "set value = excluded.value, updated_at = excluded.updated_at")
                .params(DEFAULT_RELEASE, release, Timestamp.from(clock.instant())).update();
    }
}
