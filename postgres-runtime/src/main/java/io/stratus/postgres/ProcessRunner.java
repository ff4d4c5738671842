package io.stratus.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs short-lived commands and captures their output; fails with the output in the message. */
public final class ProcessRunner {

    private ProcessRunner() {
    }

    /** The outcome of one command. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    public static Result run(List<String> command, Duration timeout) {
        return run(command, timeout, null, Map.of());
    }

    public static Result run(List<String> command, Duration timeout, Path workDir, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        pb.environment().putAll(env);
        // Postgres tools choke on a locale that is not installed; C.UTF-8 always is.
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().put("LANG", "C.UTF-8");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out after " + timeout + ": " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    public static String runOrThrow(List<String> command, Duration timeout) {
        Result r = run(command, timeout);
        if (!r.ok()) {
            throw new PostgresRuntimeException("command failed (" + r.exitCode() + "): " + String.join(" ", command)
                    + "\n" + r.output());
        }
        return r.output();
    }
}
