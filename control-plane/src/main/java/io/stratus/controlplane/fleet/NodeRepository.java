package io.stratus.controlplane.fleet;

import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

interface NodeRepository extends JpaRepository<Node, UUID> {

    Optional<Node> findByName(String name);

    Optional<Node> findByCredentialHash(byte[] hash);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select n from Node n where n.id = :id")
    Optional<Node> lockById(UUID id);

    /**
     * Every node in {@code state}, locked in id order: one order for every transaction that locks more than one node,
     * so that two placements never wait for each other's nodes.
     */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select n from Node n where n.state = :state order by n.id")
    List<Node> lockByStateOrderById(NodeState state);

    @Modifying
    @Query(value = "update nodes set desired_generation = desired_generation + 1 where id = :id returning desired_generation",
            nativeQuery = true)
    List<Long> bumpGeneration(UUID id);

    @Query(value = "select desired_generation from nodes where id = :id", nativeQuery = true)
    Optional<Long> desiredGeneration(UUID id);

    @Modifying
    @Query("update Node n set n.state = io.stratus.controlplane.fleet.NodeState.NOT_READY "
            + "where n.state = io.stratus.controlplane.fleet.NodeState.READY and n.lastHeartbeatAt < :before")
    int markSilentNodesNotReady(Instant before);
}
