package io.stratus.controlplane.fleet;

import io.stratus.controlplane.support.AbstractEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;

/**
 * A data-plane host with one agent. Its row is written by several hands at once (heartbeats every second, the health
 * monitor, placements bumping the generation), most without its lock: an update writes only the columns it changed
 * ({@code @DynamicUpdate}), and {@code desired_generation} only ever by the atomic bump, so a heartbeat that loaded the
 * row before a bump cannot write the old generation back (the agent's long poll would never see the change).
 */
@Entity
@Table(name = "nodes")
@DynamicUpdate
class Node extends AbstractEntity {

    private String name;
    private String address;
    private String zone;
    @Column(name = "capacity_cu")
    private BigDecimal capacityCu;
    @Column(name = "front_door_port")
    private int frontDoorPort;
    @Enumerated(EnumType.STRING)
    private NodeState state;
    @Column(name = "credential_hash")
    private byte[] credentialHash;
    private String releases;
    private String enforcement;
    @Column(name = "desired_generation", updatable = false)
    private long desiredGeneration;
    @Column(name = "observed_generation")
    private long observedGeneration;
    @Column(name = "last_heartbeat_at")
    private Instant lastHeartbeatAt;
    @Column(name = "created_at")
    private Instant createdAt;

    protected Node() {
    }

    Node(String name, byte[] credentialHash, Instant createdAt) {
        super(UUID.randomUUID());
        this.name = name;
        this.credentialHash = credentialHash;
        this.createdAt = createdAt;
        this.desiredGeneration = 1;
        this.enforcement = "none";
    }

    void describe(String address, String zone, BigDecimal capacityCu, int frontDoorPort, String releases) {
        this.address = address;
        this.zone = zone;
        this.capacityCu = capacityCu;
        this.frontDoorPort = frontDoorPort;
        this.releases = releases;
    }

    void rotateCredential(byte[] hash) {
        this.credentialHash = hash;
    }

    void heartbeat(Instant at, long observedGeneration, String enforcement) {
        this.lastHeartbeatAt = at;
        this.observedGeneration = Math.max(this.observedGeneration, observedGeneration);
        this.enforcement = enforcement;
        if (state == NodeState.NOT_READY || state == null) {
            state = NodeState.READY;
        }
    }

    void markNotReady() {
        state = NodeState.NOT_READY;
    }

    String name() { return name; }
    String address() { return address; }
    String zone() { return zone; }
    BigDecimal capacityCu() { return capacityCu; }
    int frontDoorPort() { return frontDoorPort; }
    NodeState state() { return state; }
    String releases() { return releases; }
    String enforcement() { return enforcement; }
    long desiredGeneration() { return desiredGeneration; }
    long observedGeneration() { return observedGeneration; }
    Instant lastHeartbeatAt() { return lastHeartbeatAt; }
    Instant createdAt() { return createdAt; }
}
