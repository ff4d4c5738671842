package io.stratus.agent.tasks;

/** A task's state changed: the status reporter sends the node's status soon, so the control plane learns it. */
public record TasksChanged() {
}
