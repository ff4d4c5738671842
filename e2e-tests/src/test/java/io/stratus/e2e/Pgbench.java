package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Debian's pgbench against a libpq URI, for the benchmarks. */
final class Pgbench {

    static final Path PGBENCH = Path.of("/usr/lib/postgresql/15/bin/pgbench");
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

    private Pgbench() {
    }

    /** Runs it to its end; its output. */
    static String run(URI uri, String... args) throws Exception {
        return output(start(uri, args));
    }

    /** Starts it (to run beside another); {@link #output} waits for it. */
    static Process start(URI uri, String... args) throws IOException {
        String[] user = uri.getUserInfo().split(":", 2);
        List<String> cmd = new ArrayList<>(List.of(PGBENCH.toString(), "-h", uri.getHost(), "-p",
                String.valueOf(uri.getPort()), "-U", user[0]));
        cmd.addAll(List.of(args));
        cmd.add(uri.getPath().substring(1));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", user[1]);
        return pb.start();
    }

    static String output(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    /** The TPS pgbench printed (without the initial connection time). */
    static double tps(String out) {
        Matcher m = TPS.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
