package io.stratus.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays a load trace against one Postgres database: per trace second, the trace's number of JDBC connections each
 * issue a fixed CPU-bound query at the trace's paced rate, open-loop, and it records per second the requests offered,
 * completed, dropped and failed, and their latency. Used by {@link SaleSpikeBenchmark}, and runnable on its own
 * against any Postgres:
 *
 * <pre>
 * java -cp e2e-tests/target/test-classes:$HOME/.m2/repository/org/postgresql/postgresql/42.7.14/postgresql-42.7.14.jar \
 *     io.stratus.e2e.TraceReplay traces/sale-spike.csv postgresql://user:password@host:5432/db [--out seconds.csv]
 * </pre>
 *
 * <p>The trace format is documented at the top of {@code traces/sale-spike.csv}: rows "second,clients,ratePerClient",
 * each holding until the next, the last (clients 0) marking the end.
 *
 * <p>Open-loop on purpose: a closed loop (next request when the previous answers) offers less when the database is
 * slow, so a starved database would look like a lighter trace. Latency is measured from when a request was due, so
 * queueing behind a throttled compute shows. A request more than {@link #MAX_LAG} late is dropped and counted rather
 * than sent, so a starved phase cannot spill its backlog into the next one.
 */
public final class TraceReplay {

    /** The unit's generate_series length unless calibrated; the cost is linear in it. */
    static final int UNIT_ROWS = 20000;
    /** The unit of work: a fixed amount of CPU in the backend, small next to a second, no I/O. */
    public static final String DEFAULT_QUERY = unit(UNIT_ROWS);
    private static final Pattern EXECUTION_TIME = Pattern.compile("\"Execution Time\": ([0-9.]+)");
    static final Duration MAX_LAG = Duration.ofSeconds(5);
    /** Requests still finishing after the trace's end land in these extra seconds. */
    private static final int TAIL_SECONDS = 30;

    private final Trace trace;
    private final String uri;
    private final String query;

    public TraceReplay(Trace trace, String uri, String query) {
        this.trace = trace;
        this.uri = uri;
        this.query = query;
    }

    /** One row of a trace: from {@code second} on, {@code clients} connections at {@code ratePerClient} req/s each. */
    public record Step(int second, int clients, double ratePerClient) {
        public double rate() {
            return clients * ratePerClient;
        }
    }

    /** A parsed trace: its steps, in order, and its length in seconds (the last row's second). */
    public record Trace(String name, List<Step> steps, int durationSeconds) {

        /** Reads a trace from a file, or from the classpath when no such file exists (e.g. {@code traces/sale-spike.csv}). */
        public static Trace load(String location) {
            try {
                Path file = Path.of(location);
                if (Files.isRegularFile(file)) {
                    return parse(file.getFileName().toString(), Files.readAllLines(file));
                }
                try (InputStream in = TraceReplay.class.getClassLoader().getResourceAsStream(location)) {
                    if (in == null) {
                        throw new IllegalArgumentException("no trace file or classpath resource " + location);
                    }
                    return parse(Path.of(location).getFileName().toString(),
                            new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static Trace parse(String name, List<String> lines) {
            List<Step> steps = new ArrayList<>();
            for (String raw : lines) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#") || line.startsWith("second,")) {
                    continue;
                }
                String[] f = line.split(",");
                if (f.length != 3) {
                    throw new IllegalArgumentException("want second,clients,ratePerClient: " + line);
                }
                Step s = new Step(Integer.parseInt(f[0].strip()), Integer.parseInt(f[1].strip()), Double.parseDouble(f[2].strip()));
                if (s.clients() < 0 || s.ratePerClient() < 0 || (s.clients() > 0 && s.ratePerClient() == 0)) {
                    throw new IllegalArgumentException("clients and rate must be >= 0, and a client must have a rate: " + line);
                }
                if (steps.isEmpty() ? s.second() != 0 : s.second() <= steps.get(steps.size() - 1).second()) {
                    throw new IllegalArgumentException("steps must start at 0 and increase: " + line);
                }
                steps.add(s);
            }
            if (steps.size() < 2 || steps.get(steps.size() - 1).clients() != 0) {
                throw new IllegalArgumentException("a trace needs at least one step and an end row with clients 0");
            }
            return new Trace(name, List.copyOf(steps), steps.get(steps.size() - 1).second());
        }

        /** The step in force during {@code second}. */
        public Step at(int second) {
            Step current = steps.get(0);
            for (Step s : steps) {
                if (s.second() <= second) {
                    current = s;
                }
            }
            return current;
        }
    }

    /**
     * What happened in one trace second. Offered, dropped and latency are counted by the second a request was due;
     * completed by the second it finished in (what a throughput graph shows).
     */
    public record Second(int second, int clients, double targetRate, int offered, int completed, int dropped,
                         int errors, double p50Ms, double p99Ms) {
    }

    /** The run: when second 0 began, one row per trace second, and every latency for percentiles over any span. */
    public record Result(Instant start, List<Second> seconds, List<Latency> latencies) {

        /** Latency percentile, in ms, of the requests due in [fromSecond, toSecond); NaN when there were none. */
        public double percentileMs(int fromSecond, int toSecond, double percentile) {
            double[] ms = latencies.stream().filter(l -> l.second() >= fromSecond && l.second() < toSecond)
                    .mapToDouble(Latency::ms).sorted().toArray();
            return percentile(ms, percentile);
        }

        public int total(java.util.function.ToIntFunction<Second> field) {
            return seconds.stream().mapToInt(field).sum();
        }
    }

    /** One answered request: the second it was due in and its latency from then. */
    public record Latency(int second, double ms) {
    }

    /**
     * Runs the trace with second 0 starting at {@code start} (which must not be in the past by more than a moment),
     * returning once every connection is closed.
     */
    public Result run(Instant start) throws InterruptedException {
        int buckets = trace.durationSeconds() + TAIL_SECONDS;
        Counters counters = new Counters(buckets);
        long startNanos = System.nanoTime() + Duration.between(Instant.now(), start).toNanos();
        List<Client> clients = new ArrayList<>();
        List<Client> started = new ArrayList<>();
        for (int s = 0; s < trace.durationSeconds(); s++) {
            sleepUntil(startNanos + s * 1_000_000_000L);
            Step step = trace.at(s);
            while (clients.size() < step.clients()) {
                Client c = new Client(clients.size(), startNanos, counters);
                clients.add(c);
                started.add(c);
                c.start();
            }
            while (clients.size() > step.clients()) {
                // Finishes what it was given, then closes its connection: the database sees one client fewer.
                clients.remove(clients.size() - 1).finish();
            }
            for (Client c : clients) {
                c.schedule(s, step);
            }
        }
        for (Client c : clients) {
            c.finish();
        }
        // Stopped ones too: the run is over when every connection is closed.
        for (Client c : started) {
            c.join(Duration.ofSeconds(60).toMillis());
        }
        return counters.result(start, trace);
    }

    /** Per-second counters shared by the clients. */
    private record Counters(AtomicIntegerArray offered, AtomicIntegerArray completed, AtomicIntegerArray dropped,
                            AtomicIntegerArray errors, ConcurrentLinkedQueue<Latency> latencies) {

        Counters(int buckets) {
            this(new AtomicIntegerArray(buckets), new AtomicIntegerArray(buckets), new AtomicIntegerArray(buckets),
                    new AtomicIntegerArray(buckets), new ConcurrentLinkedQueue<>());
        }

        int bucket(double second) {
            return (int) Math.min(Math.max(0, Math.floor(second)), offered.length() - 1);
        }

        Result result(Instant start, Trace trace) {
            List<Latency> all = List.copyOf(latencies);
            List<List<Double>> bySecond = new ArrayList<>();
            for (int i = 0; i < offered.length(); i++) {
                bySecond.add(new ArrayList<>());
            }
            all.forEach(l -> bySecond.get(l.second()).add(l.ms()));
            List<Second> rows = new ArrayList<>();
            for (int s = 0; s < offered.length(); s++) {
                if (s >= trace.durationSeconds() && offered.get(s) + completed.get(s) + dropped.get(s) + errors.get(s) == 0) {
                    continue;
                }
                Step step = trace.at(Math.min(s, trace.durationSeconds()));
                double[] ms = bySecond.get(s).stream().mapToDouble(Double::doubleValue).sorted().toArray();
                rows.add(new Second(s, step.clients(), step.rate(), offered.get(s), completed.get(s), dropped.get(s),
                        errors.get(s), percentile(ms, 50), percentile(ms, 99)));
            }
            return new Result(start, rows, all);
        }
    }

    /** One connection issuing the requests scheduled for it, each at its due time, in order. */
    private final class Client extends Thread {
        private static final double STOP = Double.NEGATIVE_INFINITY;

        private final int index;
        private final long startNanos;
        private final Counters counters;
        private final BlockingQueue<Double> due = new LinkedBlockingQueue<>();
        /** Trace second of this client's next request; NaN until it has a rate. */
        private double next = Double.NaN;
        private Connection connection;

        Client(int index, long startNanos, Counters counters) {
            super("trace-client-" + index);
            setDaemon(true);
            this.index = index;
            this.startNanos = startNanos;
            this.counters = counters;
        }

        /** Queues this client's requests due in trace second {@code s}, paced at the step's rate. */
        void schedule(int s, Step step) {
            double interval = 1.0 / step.ratePerClient();
            if (Double.isNaN(next) || next < s) {
                // Clients of a step are spread evenly over one interval, so the database sees a steady stream
                // rather than all of them at once.
                next = Math.round((s + interval * index / step.clients()) * 1e6) / 1e6;
            }
            while (next < s + 1) {
                counters.offered().incrementAndGet(counters.bucket(next));
                due.add(next);
                // Whole microseconds: summing 0.2 five times must give 1.0, not 0.9999999999999999, or a request
                // slips into the previous second and the counts stop matching the trace.
                next = Math.round((next + interval) * 1e6) / 1e6;
            }
        }

        void finish() {
            due.add(STOP);
        }

        @Override
        public void run() {
            try {
                while (true) {
                    double at = due.take();
                    if (at == STOP) {
                        return;
                    }
                    long dueNanos = startNanos + (long) (at * 1e9);
                    sleepUntil(dueNanos);
                    int bucket = counters.bucket(at);
                    if (System.nanoTime() - dueNanos > MAX_LAG.toNanos()) {
                        counters.dropped().incrementAndGet(bucket);
                        continue;
                    }
                    try {
                        if (connection == null) {
                            connection = connect(uri);
                        }
                        try (Statement st = connection.createStatement()) {
                            st.executeQuery(query).close();
                        }
                        long end = System.nanoTime();
                        counters.completed().incrementAndGet(counters.bucket((end - startNanos) / 1e9));
                        counters.latencies().add(new Latency(bucket, (end - dueNanos) / 1e6));
                    } catch (SQLException e) {
                        counters.errors().incrementAndGet(bucket);
                        closeConnection();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeConnection();
            }
        }

        private void closeConnection() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // Going away anyway.
                }
                connection = null;
            }
        }
    }

    /** A pgjdbc connection from a libpq URI ({@code postgresql://user:password@host:port/db}) or a JDBC URL. */
    static Connection connect(String uri) throws SQLException {
        if (uri.startsWith("jdbc:")) {
            return DriverManager.getConnection(uri);
        }
        URI u = URI.create(uri);
        String[] userInfo = u.getRawUserInfo().split(":", 2);
        String user = URLDecoder.decode(userInfo[0], StandardCharsets.UTF_8);
        String password = userInfo.length > 1 ? URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8) : null;
        return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432)
                + u.getPath() + "?connectTimeout=5&ApplicationName=trace-replay", user, password);
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(idx, sorted.length - 1))];
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    /** The unit of work over {@code rows} rows. */
    static String unit(int rows) {
        return "SELECT count(*) FROM generate_series(1, " + rows + ")";
    }

    /**
     * The unit of work sized so that one request takes {@code cpuMs} of execution on this machine: the trace's load is
     * meant in CPU, and the same SQL took 3 ms a request here on one day and 5.5 on another. Measured by the database
     * itself ({@code EXPLAIN ANALYZE}'s execution time) on warm caches, as in the trace: the third of three runs back to
     * back, the fastest of 15 such after 5 to warm up (execution time is wall time: whatever else runs on the machine
     * only adds to it, and a median moved between 3.0 and 4.4 ms from one run to the next while the control plane's
     * JIT was busy). The triples are 250 ms apart, so that a compute under a small CPU quota is never throttled by the
     * measurement (and its autoscaler sees next to no load).
     */
    public static Calibration calibrate(String uri, double cpuMs) throws SQLException, InterruptedException {
        double[] ms = new double[15];
        try (Connection c = connect(uri); Statement st = c.createStatement()) {
            for (int i = -5; i < ms.length; i++) {
                double last = 0;
                for (int run = 0; run < 3; run++) {
                    last = executionMs(st, unit(UNIT_ROWS));
                }
                if (i >= 0) {
                    ms[i] = last;
                }
                Thread.sleep(250);
            }
        }
        double fastest = Arrays.stream(ms).min().orElseThrow();
        int rows = (int) Math.max(1000, Math.round(UNIT_ROWS * cpuMs / fastest));
        return new Calibration(fastest, rows, unit(rows));
    }

    /** {@code EXPLAIN ANALYZE}'s execution time of {@code query}, in ms. */
    static double executionMs(Statement st, String query) throws SQLException {
        try (var rs = st.executeQuery("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + query)) {
            rs.next();
            Matcher m = EXECUTION_TIME.matcher(rs.getString(1));
            if (!m.find()) {
                throw new IllegalStateException("no execution time in " + rs.getString(1));
            }
            return Double.parseDouble(m.group(1));
        }
    }

    /** What {@link #calibrate} found: the default unit's execution time and the rows that take the wanted time. */
    public record Calibration(double defaultUnitMs, int rows, String query) {
    }

    /** Writes the per-second rows as CSV. */
    static void writeCsv(Result r, Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("second,clients,targetRate,offered,completed,dropped,errors,p50Ms,p99Ms");
        for (Second s : r.seconds()) {
            lines.add(String.format(Locale.ROOT, "%d,%d,%.1f,%d,%d,%d,%d,%.1f,%.1f", s.second(), s.clients(),
                    s.targetRate(), s.offered(), s.completed(), s.dropped(), s.errors(), s.p50Ms(), s.p99Ms()));
        }
        Files.write(out, lines);
    }

    /**
     * {@code TraceReplay <trace> <uri> [--query SQL | --cpu-ms MS] [--out seconds.csv]}: replays and prints a summary.
     * {@code --cpu-ms} sizes the unit of work to that many ms of execution on the target first ({@link #calibrate}).
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TraceReplay <trace.csv | classpath resource> <postgresql://user:pw@host:port/db | jdbc:...>"
                    + " [--query SQL | --cpu-ms MS] [--out seconds.csv]");
            System.exit(2);
        }
        List<String> rest = Arrays.asList(args).subList(2, args.length);
        String query = option(rest, "--query", DEFAULT_QUERY);
        String cpuMs = option(rest, "--cpu-ms", null);
        if (cpuMs != null) {
            Calibration cal = calibrate(args[1], Double.parseDouble(cpuMs));
            System.out.printf(Locale.ROOT, "calibrated: %s (the %d-row unit took %.2f ms)%n", cal.query(), UNIT_ROWS,
                    cal.defaultUnitMs());
            query = cal.query();
        }
        String out = option(rest, "--out", null);
        Trace trace = Trace.load(args[0]);
        Result r = new TraceReplay(trace, args[1], query).run(Instant.now().plusSeconds(1));
        for (Second s : r.seconds()) {
            System.out.printf(Locale.ROOT, "%4d s  clients %d  target %6.1f/s  offered %4d  completed %4d  dropped %3d"
                            + "  errors %3d  p50 %7.1f ms  p99 %7.1f ms%n", s.second(), s.clients(), s.targetRate(),
                    s.offered(), s.completed(), s.dropped(), s.errors(), s.p50Ms(), s.p99Ms());
        }
        System.out.printf(Locale.ROOT, "%s: offered %d, completed %d, dropped %d, errors %d, latency p50 %.1f ms p99 %.1f ms%n",
                trace.name(), r.total(Second::offered), r.total(Second::completed), r.total(Second::dropped),
                r.total(Second::errors), r.percentileMs(0, Integer.MAX_VALUE, 50), r.percentileMs(0, Integer.MAX_VALUE, 99));
        if (out != null) {
            writeCsv(r, Path.of(out));
        }
    }

    private static String option(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
    }
}
