package io.stratus.agent.metering;

import io.stratus.agent.AgentPaths;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The spool, opened (and recovered) once at startup and shared by the meter and the shipper. */
@Configuration(proxyBeanMethods = false)
class MeteringConfiguration {

    @Bean(destroyMethod = "close")
    UsageSpool usageSpool(AgentPaths paths) throws IOException {
        return UsageSpool.open(paths.usage());
    }
}
