package io.stratus.agent;

import io.stratus.agent.capacity.CgroupDetector;
import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.postgres.OsUser;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The few shared objects that are not the agent's own components. */
@Configuration(proxyBeanMethods = false)
class AgentConfiguration {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    AgentPaths agentPaths(AgentSettings settings) {
        return new AgentPaths(settings.dataDir()).prepare();
    }

    /** Postgres refuses to run as root: as root, computes run as the configured unprivileged user. */
    @Bean
    OsUser postgresOsUser(AgentSettings settings) {
        return OsUser.forPostgres(settings.postgresUser());
    }

    /** How CU is enforced here, decided once by probing what this host really lets the agent write. */
    @Bean
    CgroupDriver cgroupDriver(AgentSettings settings) {
        return CgroupDetector.detect(settings.cgroups(), settings.cgroupParent());
    }

    @Bean
    HttpClient controlPlaneHttpClient() {
        // HTTP/1.1: no h2c upgrade dance on every long-poll against a plain-HTTP control plane.
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
    }
}
