package io.stratus.controlplane.metadata;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.stratus.controlplane.StratusSettings;
import io.stratus.postgres.LocalPostgres;
import io.stratus.postgres.MavenReleaseResolver;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.ReleaseLocator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The control plane's metadata database: an external PostgreSQL when {@code STRATUS_DB_URL} is set, otherwise an
 * embedded one that the control plane starts itself under {@code $STRATUS_DATA_DIR/metadata} from the host's
 * Postgres release (or one resolved from Maven Central), and stops on shutdown.
 */
@Configuration(proxyBeanMethods = false)
class MetadataDatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MetadataDatabaseConfiguration.class);
    private static final String DATABASE = "stratus";

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(StratusSettings settings,
                                @Value("${stratus.db.url:}") String url,
                                @Value("${stratus.db.user:}") String user,
                                @Value("${stratus.db.password:}") String password,
                                @Value("${stratus.db.pool-size:20}") int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("metadata");
        if (!url.isBlank()) {
            config.setJdbcUrl(url);
            config.setUsername(user);
            config.setPassword(password);
            return new HikariDataSource(config);
        }
        EmbeddedMetadata embedded = EmbeddedMetadata.start(settings);
        config.setJdbcUrl(embedded.pg().jdbcUrl(DATABASE));
        config.setUsername(embedded.pg().superuser());
        config.setPassword(embedded.pg().password());
        return new EmbeddedHikari(config, embedded);
    }

    /** A pool that also stops the embedded server it points at when it is closed. */
    static final class EmbeddedHikari extends HikariDataSource {
        private final transient EmbeddedMetadata embedded;

        EmbeddedHikari(HikariConfig config, EmbeddedMetadata embedded) {
            super(config);
            this.embedded = embedded;
        }

        @Override
        public void close() {
            super.close();
            embedded.pg().close();
            log.info("embedded metadata PostgreSQL stopped");
        }
    }

    record EmbeddedMetadata(LocalPostgres pg) {
        static EmbeddedMetadata start(StratusSettings settings) {
            var dir = settings.dataDir().toAbsolutePath().normalize().resolve("metadata");
            var releases = settings.dataDir().toAbsolutePath().normalize().resolve("releases");
            PostgresRelease release = new ReleaseLocator(List.of(), releases).defaultRelease(new MavenReleaseResolver(releases));
            LocalPostgres pg = LocalPostgres.start(dir, release, OsUser.forPostgres("postgres"), "stratus", true,
                    Map.of("max_connections", "100"));
            log.info("embedded metadata PostgreSQL {} ({}) on port {} in {}", release.version(), release.source(), pg.port(), dir);
            ensureDatabase(pg);
            return new EmbeddedMetadata(pg);
        }

        private static void ensureDatabase(LocalPostgres pg) {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.superuser(), pg.password());
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + DATABASE);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create the metadata database", e);
            }
        }
    }
}
