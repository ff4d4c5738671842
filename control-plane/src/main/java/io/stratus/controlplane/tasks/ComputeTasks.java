package io.stratus.controlplane.tasks;

import io.stratus.controlplane.databases.DatabaseDirectory;
import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.operations.Operations;
import io.stratus.controlplane.operations.Operations.OperationView;
import io.stratus.controlplane.web.ApiException;
import io.stratus.protocol.TaskSpec;
import io.stratus.protocol.TaskState;
import io.stratus.protocol.TaskStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The control plane's half of the task channel: one-off work on a compute, queued with an operation, delivered to the
 * compute's node with its desired state while open ({@link #openFor}), and closed by the node's report
 * ({@link #ingest}). A report is applied once: a repeated one, or one for a task already closed (its deadline passed
 * here first), changes nothing. A task's result is kept with it; its operation says SUCCEEDED or FAILED, and a
 * {@link TaskFinished} event tells the feature that queued it, in the same transaction.
 */
@Service
public class ComputeTasks {

    private static final Logger log = LoggerFactory.getLogger(ComputeTasks.class);
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final String COLUMNS = "id, operation_id, database_id, node_id, type, parameters::text, state, "
            + "progress, reason_code, message, result::text, deadline, created_at, updated_at, finished_at";

    private final JdbcClient jdbc;
    private final DatabaseDirectory databases;
    private final Operations operations;
    private final Fleet fleet;
    private final JsonMapper json;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    ComputeTasks(JdbcClient jdbc, DatabaseDirectory databases, Operations operations, Fleet fleet, JsonMapper json,
                 Clock clock, ApplicationEventPublisher events) {
        this.events = events;
        this.jdbc = jdbc;
        this.databases = databases;
        this.operations = operations;
        this.fleet = fleet;
        this.json = json;
        this.clock = clock;
    }

    /** A task as the API shows it. */
    public record TaskView(UUID id, String type, UUID databaseId, UUID nodeId, UUID operationId, String state,
                           int progress, String reasonCode, String message, Map<String, Object> parameters,
                           Map<String, Object> result, Instant deadline, Instant createdAt, Instant updatedAt,
                           Instant finishedAt) {
    }

    /** What {@link #queue} made: the operation to poll and the task. */
    public record Queued(OperationView operation, TaskView task) {
    }

    /**
     * Queues a task on the database's compute, with an operation of the given type, and wakes the node's long-poll.
     *
     * @throws ApiException 404 for an unknown database, 409 when it has no compute to work on
     */
    @Transactional
    public Queued queue(UUID databaseId, OperationType operationType, String type, Map<String, Object> parameters,
                        Duration timeout) {
        DatabaseDirectory.Placement placement = databases.lockPlacement(databaseId)
                .orElseThrow(() -> ApiException.notFound("database"));
        if (!placement.hasCompute()) {
            throw ApiException.conflict("no-compute", "the database has no compute to run a " + type
                    + " task on (it is being created, failed, or being deleted)", null);
        }
        Instant now = clock.instant();
        OperationView operation = operations.open(placement.tenantId(), databaseId, operationType, true, 0);
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into compute_tasks (id, operation_id, database_id, node_id, type, parameters, state, deadline, "
                        + "created_at, updated_at) values (?, ?, ?, ?, ?, ?::jsonb, 'PENDING', ?, ?, ?)")
                .params(id, operation.id(), databaseId, placement.nodeId(), type, json.writeValueAsString(parameters),
                        Timestamp.from(now.plus(timeout)), Timestamp.from(now), Timestamp.from(now))
                .update();
        fleet.desiredStateChanged(placement.nodeId());
        log.info("queued {} task {} on database {} (node {})", type, id, databaseId, placement.nodeId());
        return new Queued(operation, find(id).orElseThrow());
    }

    /** The node's open tasks, oldest first: what its desired state carries. */
    @Transactional(readOnly = true)
    public List<TaskSpec> openFor(UUID nodeId) {
        return jdbc.sql("select id, type, database_id, parameters::text, deadline from compute_tasks "
                        + "where node_id = ? and state in ('PENDING', 'RUNNING') order by created_at, id")
                .param(nodeId)
                .query((rs, n) -> new TaskSpec(rs.getObject(1, UUID.class), rs.getString(2),
                        rs.getObject(3, UUID.class), object(rs.getString(4)), rs.getTimestamp(5).toInstant()))
                .list();
    }

    /**
     * Applies a node's report of its tasks. Only the node's own tasks count, only open ones change, and the first final
     * state is the one kept (with its operation settled in the same transaction).
     */
    @Transactional
    public void ingest(UUID nodeId, List<TaskStatus> reported) {
        boolean closed = false;
        for (TaskStatus s : reported) {
            Optional<Open> task = jdbc.sql("select operation_id, state, progress, type, database_id from compute_tasks "
                            + "where id = ? and node_id = ? and state in ('PENDING', 'RUNNING') for update")
                    .params(s.id(), nodeId)
                    .query((rs, n) -> new Open(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3),
                            rs.getString(4), rs.getObject(5, UUID.class)))
                    .optional();
            if (task.isEmpty()) {
                continue;
            }
            Instant now = clock.instant();
            if (!s.state().isFinal()) {
                // Every heartbeat repeats a running task: only a change is written.
                if (task.get().state().equals("RUNNING") && task.get().progress() == s.progress()) {
                    continue;
                }
                jdbc.sql("update compute_tasks set state = 'RUNNING', progress = ?, updated_at = ? where id = ?")
                        .params(s.progress(), Timestamp.from(now), s.id()).update();
                continue;
            }
            jdbc.sql("update compute_tasks set state = ?, progress = ?, reason_code = ?, message = ?, result = ?::jsonb, "
                            + "updated_at = ?, finished_at = ? where id = ?")
                    .params(s.state().name(), s.state() == TaskState.SUCCEEDED ? 100 : s.progress(), s.reasonCode(),
                            s.message(), json.writeValueAsString(s.result()), Timestamp.from(now), Timestamp.from(now),
                            s.id())
                    .update();
            if (s.state() == TaskState.SUCCEEDED) {
                operations.succeed(task.get().operationId());
            } else {
                operations.fail(task.get().operationId(), s.reasonCode() + ": " + s.message());
            }
            events.publishEvent(new TaskFinished(s.id(), task.get().type(), task.get().databaseId(), s.state(),
                    s.reasonCode(), s.message(), s.state() == TaskState.SUCCEEDED ? s.result() : Map.of()));
            closed = true;
            log.info("task {} {} on node {}{}", s.id(), s.state(), nodeId,
                    s.reasonCode() != null ? " (" + s.reasonCode() + ": " + s.message() + ")" : "");
        }
        if (closed) {
            // A desired state without the closed tasks tells the agent their results are in: it stops reporting them
            // and deletes their journal files.
            fleet.desiredStateChanged(nodeId);
        }
    }

    /**
     * Fails open tasks whose deadline passed more than {@code grace} ago, with their operations, and takes them out of
     * their node's desired state. The grace lets a node that enforces the deadline itself report first.
     *
     * @return how many
     */
    @Transactional
    public int expire(Duration grace) {
        Instant now = clock.instant();
        List<Expired> expired = jdbc.sql("update compute_tasks set state = 'FAILED', reason_code = 'deadline-exceeded', "
                        + "message = 'not reported done by its node before its deadline', updated_at = ?, finished_at = ? "
                        + "where state in ('PENDING', 'RUNNING') and deadline < ? "
                        + "returning operation_id, node_id, id, type, database_id")
                .params(Timestamp.from(now), Timestamp.from(now), Timestamp.from(now.minus(grace)))
                .query((rs, n) -> new Expired(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getObject(3, UUID.class), rs.getString(4), rs.getObject(5, UUID.class)))
                .list();
        for (Expired e : expired) {
            operations.fail(e.operationId(), "deadline-exceeded: not reported done by its node before its deadline");
            events.publishEvent(new TaskFinished(e.taskId(), e.type(), e.databaseId(), TaskState.FAILED,
                    "deadline-exceeded", "not reported done by its node before its deadline", Map.of()));
            fleet.desiredStateChanged(e.nodeId());
        }
        return expired.size();
    }

    @Transactional(readOnly = true)
    public Optional<TaskView> find(UUID id) {
        return jdbc.sql("select " + COLUMNS + " from compute_tasks where id = ?").param(id).query(this::view).optional();
    }

    /** A database's tasks, newest first, at most {@code limit}. */
    @Transactional(readOnly = true)
    public List<TaskView> ofDatabase(UUID databaseId, int limit) {
        return jdbc.sql("select " + COLUMNS + " from compute_tasks where database_id = ? order by created_at desc, id limit ?")
                .params(databaseId, limit).query(this::view).list();
    }

    /** An open task as stored: its operation, state and progress. */
    private record Open(UUID operationId, String state, int progress, String type, UUID databaseId) {
    }

    private record Expired(UUID operationId, UUID nodeId, UUID taskId, String type, UUID databaseId) {
    }

    private TaskView view(ResultSet rs, int row) throws SQLException {
        return new TaskView(rs.getObject("id", UUID.class), rs.getString("type"), rs.getObject("database_id", UUID.class),
                rs.getObject("node_id", UUID.class), rs.getObject("operation_id", UUID.class), rs.getString("state"),
                rs.getInt("progress"), rs.getString("reason_code"), rs.getString("message"), object(rs.getString("parameters")),
                rs.getString("result") == null ? null : object(rs.getString("result")), instant(rs, "deadline"),
                instant(rs, "created_at"), instant(rs, "updated_at"), instant(rs, "finished_at"));
    }

    private Map<String, Object> object(String text) {
        return json.readValue(text, OBJECT);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
