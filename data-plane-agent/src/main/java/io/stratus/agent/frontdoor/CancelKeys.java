package io.stratus.agent.frontdoor;

import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cancel keys the front door gave its clients, each standing for the key the compute (or the next front door)
 * gave it. A client never sees a compute's own key, so a key cannot be replayed past the session it belongs to, and a
 * forged one (64 random bits to guess) matches nothing and cancels nothing.
 */
final class CancelKeys {

    private final SecureRandom random = new SecureRandom();
    private final Map<Long, Upstream> keys = new ConcurrentHashMap<>();

    /** Where a cancel for a session goes: the address the session was relayed to, with the key that one gave. */
    record Upstream(SocketAddress address, int pid, byte[] secret) {
    }

    /** The key the client gets: {@code pid} and {@code secret} packed as one long. */
    long issue(Upstream upstream) {
        while (true) {
            // A positive pid: clients print it as a process id.
            long key = ((long) (random.nextInt() & 0x7fffffff) << 32) | (random.nextInt() & 0xffffffffL);
            if (keys.putIfAbsent(key, upstream) == null) {
                return key;
            }
        }
    }

    void forget(long key) {
        keys.remove(key);
    }

    Optional<Upstream> find(int pid, int secret) {
        return Optional.ofNullable(keys.get(((long) pid << 32) | (secret & 0xffffffffL)));
    }

    int size() {
        return keys.size();
    }
}
