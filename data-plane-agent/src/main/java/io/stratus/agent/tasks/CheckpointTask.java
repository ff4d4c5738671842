package io.stratus.agent.tasks;

import io.stratus.agent.ComputeConventions;
import io.stratus.agent.computes.RunningCompute;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * {@code checkpoint}: a CHECKPOINT on the compute, as its superuser over the Unix socket in the maintenance database
 * (never the tenant's, so nothing of it is billed as the tenant's requests). Reports the checkpoint's LSN and redo LSN:
 * what a backup starts from and what a restart would replay from. A stopped (suspended) compute was shut down with a
 * checkpoint of its own and is not woken for another.
 *
 * <p>Resumable: a CHECKPOINT run again after an agent crash does no harm and leaves the same guarantee.
 */
@Component
class CheckpointTask implements TaskType<CheckpointTask.Parameters> {

    static final String NAME = "checkpoint";
    /** A checkpoint writes every dirty buffer: at a quarter CU and a few GB of shared buffers that takes a while. */
    private static final int STATEMENT_TIMEOUT_SECONDS = 600;

    /** No parameters today; a record so that a future one (a spread checkpoint, say) is one field away. */
    record Parameters() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<Parameters> parameters() {
        return Parameters.class;
    }

    @Override
    public boolean resumable() {
        return true;
    }

    @Override
    public Outcome run(Optional<RunningCompute> compute, Parameters parameters, Progress progress) throws Exception {
        if (compute.isEmpty()) {
            return new Outcome("the compute is stopped: its shutdown checkpoint stands", Map.of("stopped", true));
        }
        try (Connection c = ComputeConventions.maintenanceConnection(compute.get().cluster(), "stratus-agent-task",
                STATEMENT_TIMEOUT_SECONDS); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
            try (ResultSet rs = st.executeQuery(
                    "SELECT checkpoint_lsn::text, redo_lsn::text, checkpoint_time FROM pg_control_checkpoint()")) {
                rs.next();
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("checkpointLsn", rs.getString(1));
                result.put("redoLsn", rs.getString(2));
                result.put("checkpointTime", rs.getTimestamp(3).toInstant().toString());
                return new Outcome("checkpoint at " + rs.getString(1), result);
            }
        }
    }
}
