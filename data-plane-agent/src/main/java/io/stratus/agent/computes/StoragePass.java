package io.stratus.agent.computes;

import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import java.math.BigDecimal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The storage check, on the reconcile thread (so it never races a pass that starts or stops the same postmaster):
 * every running compute is held to the storage limit of the spec it last had applied ({@link StorageSteps}). A compute
 * restarted read-only gets its new postmaster enrolled in its cgroup at once. A failure is logged and left to the next
 * check; a postmaster it left down is the health pass's to restart.
 */
final class StoragePass {

    private static final Logger log = LoggerFactory.getLogger(StoragePass.class);

    private final NodeBook book;
    private final ComputeSteps steps;

    StoragePass(NodeBook book, ComputeSteps steps) {
        this.book = book;
        this.steps = steps;
    }

    void run() {
        for (Compute c : book.computes()) {
            if (c.applied == null || c.cluster == null || c.failed() || c.status == null
                    || c.status.phase() != ComputePhase.RUNNING) {
                continue;
            }
            ComputeSpec spec = c.applied.spec();
            try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", c.id.toString())) {
                StepResult result = steps.ensureStorageLimit(c, spec);
                StepResult.log(log, "ensureStorageLimit", result);
                if (result.acted() && c.storageLimited) {
                    BigDecimal cu = c.cuInForce != null && c.cuInForce.signum() > 0 ? c.cuInForce
                            : ComputeConfig.effectiveCu(spec);
                    StepResult.log(log, "ensureEnrolled", steps.ensureEnrolled(c, cu));
                }
            } catch (Exception e) {
                log.warn("storage check failed: {}", e.getMessage());
            }
            if (c.status != null) {
                NodeBook.setStatus(c, c.status.withStorage(c.storedBytes, c.storageLimited, c.status.message()));
            }
        }
    }
}
