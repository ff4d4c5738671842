package io.stratus.controlplane.metering;

import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The usage roll-up in Quartz's clustered job store: registered by Boot's Quartz auto-configuration, run by one
 * control plane at a time.
 */
@Configuration(proxyBeanMethods = false)
class MeteringScheduling {

    static final JobKey ROLLUP_JOB = JobKey.jobKey("usage-rollup", "metering");

    @Bean
    JobDetail usageRollupJobDetail() {
        return JobBuilder.newJob(UsageRollupJob.class)
                .withIdentity(ROLLUP_JOB)
                .withDescription("rolls usage records up into hourly sums")
                .storeDurably()
                .build();
    }

    @Bean
    Trigger usageRollupTrigger(MeteringSettings settings) {
        return TriggerBuilder.newTrigger()
                .forJob(ROLLUP_JOB)
                .withIdentity("usage-rollup", "metering")
                .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                        .withIntervalInMilliseconds(settings.rollupInterval().toMillis())
                        .repeatForever()
                        // After downtime run once, not once per missed interval: one run catches up on everything.
                        .withMisfireHandlingInstructionNextWithRemainingCount())
                .build();
    }
}
