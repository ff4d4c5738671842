package io.stratus.agent.capacity;

/** A cgroup could not be created, limited, joined or removed; the message names the file and the kernel's answer. */
public class CgroupException extends Exception {

    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
