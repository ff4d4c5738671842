package io.stratus.controlplane.billing;

import io.stratus.controlplane.metering.Granularity;
import java.util.TimeZone;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hourly and daily billing exports in Quartz's clustered job store, registered by Boot's Quartz auto-configuration
 * ({@code overwrite-existing-jobs} makes a changed cron take effect on the next start).
 */
@Configuration(proxyBeanMethods = false)
class BillingExportSchedule {

    static final JobKey HOURLY_JOB = JobKey.jobKey("hourly-export", "billing");
    static final JobKey DAILY_JOB = JobKey.jobKey("daily-export", "billing");
    private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

    @Bean
    JobDetail hourlyBillingExportJob() {
        return job(HOURLY_JOB, Granularity.HOUR, "exports the previous hour's usage");
    }

    @Bean
    JobDetail dailyBillingExportJob() {
        return job(DAILY_JOB, Granularity.DAY, "exports the previous UTC day's usage");
    }

    @Bean
    Trigger hourlyBillingExportTrigger(BillingExportSettings settings) {
        return trigger(HOURLY_JOB, settings.hourlyCron());
    }

    @Bean
    Trigger dailyBillingExportTrigger(BillingExportSettings settings) {
        return trigger(DAILY_JOB, settings.dailyCron());
    }

    private static JobDetail job(JobKey key, Granularity granularity, String description) {
        return JobBuilder.newJob(BillingExportJob.class)
                .withIdentity(key)
                .withDescription(description)
                .usingJobData(BillingExportJob.GRANULARITY, granularity.name())
                .storeDurably()
                // A control plane that dies mid-export leaves the firing to the cluster: the first one to see it gone
                // runs it again within seconds, instead of the period waiting for the next firing (up to a day).
                .requestRecovery()
                .build();
    }

    private static Trigger trigger(JobKey job, String cron) {
        return TriggerBuilder.newTrigger()
                .forJob(job)
                .withIdentity(job.getName(), job.getGroup())
                // After downtime fire once, not once per missed firing: the job exports the period before "now".
                .withSchedule(CronScheduleBuilder.cronSchedule(cron).inTimeZone(UTC).withMisfireHandlingInstructionFireAndProceed())
                .build();
    }
}
