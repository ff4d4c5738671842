package io.stratus.agent.frontdoor;

import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.computes.RunningCompute;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class FrontDoorConfiguration {

    /** The reconciler's word on which computes run here, and their sockets. */
    @Bean
    LocalComputes localComputes(ComputeReconciler reconciler) {
        return id -> reconciler.running(id).map(RunningCompute::socket);
    }
}
