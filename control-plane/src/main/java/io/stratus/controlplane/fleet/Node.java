package io.stratus.controlplane.fleet;

import io.stratus.controlplane.support.AbstractEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
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
    @Column(name = "port_min")
    private int portMin;
    @Column(name = "port_max")
    private int portMax;
    @Enumerated(EnumType.STRING)
    private NodeState state;
    @Column(name = "credential_hash")
    private byte[] credentialHash;
    private String releases;
    private String enforcement;
    @Column(name = "busy_ports")
    private String busyPorts = "";
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

    void describe(String address, String zone, BigDecimal capacityCu, int portMin, int portMax, String releases) {
        this.address = address;
        this.zone = zone;
        this.capacityCu = capacityCu;
        this.portMin = portMin;
        this.portMax = portMax;
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

    /**
     * What the agent last saw held by other processes in its compute range (anything outside the range is no concern
     * of placement and is dropped); null, from an older agent, keeps the last.
     */
    void busyPorts(List<Integer> ports) {
        if (ports != null) {
            this.busyPorts = ports.stream().filter(p -> p != null && p >= portMin && p <= portMax).distinct().sorted()
                    .map(String::valueOf).collect(Collectors.joining(","));
        }
    }

    void markNotReady() {
        state = NodeState.NOT_READY;
    }

    String name() { return name; }
    String address() { return address; }
    String zone() { return zone; }
    BigDecimal capacityCu() { return capacityCu; }
    int portMin() { return portMin; }
    int portMax() { return portMax; }
    NodeState state() { return state; }
    String releases() { return releases; }
    String enforcement() { return enforcement; }
    List<Integer> busyPorts() {
        return busyPorts == null || busyPorts.isEmpty() ? List.of()
                : Arrays.stream(busyPorts.split(",")).map(Integer::valueOf).toList();
    }
    long desiredGeneration() { return desiredGeneration; }
    long observedGeneration() { return observedGeneration; }
    Instant lastHeartbeatAt() { return lastHeartbeatAt; }
    Instant createdAt() { return createdAt; }
}
