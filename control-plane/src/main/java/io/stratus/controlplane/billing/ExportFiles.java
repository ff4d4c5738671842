package io.stratus.controlplane.billing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The bytes of an export and how they reach the disk. Everything in the files is a function of the period and its
 * rows (no timestamps, no instance names, fixed column and key order, {@code \n} line ends, plain decimals), so a
 * re-run of a closed period writes the same bytes. Each file is written to a temporary file in the same directory,
 * forced to disk and renamed over the target atomically; the manifest is written last, so a manifest on disk always
 * describes complete files.
 */
final class ExportFiles {

    static final String MANIFEST = "manifest.json";
    static final String CSV_HEADER = "period,tenant_id,database_id,metric,quantity,unit\n";
    private static final String TEMP_PREFIX = ".tmp-";

    private ExportFiles() {
    }

    /** One data file as the manifest lists it. */
    record FileEntry(String name, long rows, String sha256, long bytes) {
    }

    /** What was written: the manifest's checksum and the data files it lists. */
    record Written(Path directory, List<FileEntry> files, long rows, String manifestSha256) {
    }

    /** Writes the period's CSV, JSON Lines and manifest into {@code <root>/<period>/}, replacing what was there. */
    static Written write(Path root, BillingPeriod period, ExportRows.Summary summary) throws IOException {
        Path dir = root.resolve(period.name());
        Files.createDirectories(dir);
        // Only one run of a period is live at a time (BillingExporter's lock), so temp files here are a dead run's.
        for (Path leftover : temporaryFiles(dir)) {
            Files.deleteIfExists(leftover);
        }
        byte[] csv = csv(summary.rows());
        byte[] jsonl = jsonLines(summary.rows());
        List<FileEntry> files = List.of(
                new FileEntry("usage-" + period.name() + ".csv", summary.rows().size(), sha256(csv), csv.length),
                new FileEntry("usage-" + period.name() + ".jsonl", summary.rows().size(), sha256(jsonl), jsonl.length));
        byte[] manifest = manifest(period, summary, files);
        writeAtomically(dir.resolve(files.get(0).name()), csv);
        writeAtomically(dir.resolve(files.get(1).name()), jsonl);
        writeAtomically(dir.resolve(MANIFEST), manifest);
        return new Written(dir, files, summary.rows().size(), sha256(manifest));
    }

    static byte[] csv(List<ExportRows.Row> rows) {
        StringBuilder sb = new StringBuilder(CSV_HEADER);
        for (ExportRows.Row r : rows) {
            // Every value is a period, a UUID, an identifier or a plain decimal: nothing needs CSV quoting.
            sb.append(r.period()).append(',').append(r.tenantId()).append(',').append(r.databaseId()).append(',')
                    .append(r.metric()).append(',').append(r.quantity().toPlainString()).append(',').append(r.unit()).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Quantities are JSON strings: exact decimals that no consumer's double can round. */
    static byte[] jsonLines(List<ExportRows.Row> rows) {
        StringBuilder sb = new StringBuilder();
        for (ExportRows.Row r : rows) {
            sb.append("{\"period\":").append(str(r.period()))
                    .append(",\"tenant_id\":").append(str(r.tenantId()))
                    .append(",\"database_id\":").append(str(r.databaseId()))
                    .append(",\"metric\":").append(str(r.metric()))
                    .append(",\"quantity\":").append(str(r.quantity().toPlainString()))
                    .append(",\"unit\":").append(str(r.unit()))
                    .append("}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] manifest(BillingPeriod period, ExportRows.Summary summary, List<FileEntry> files) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"period\": ").append(str(period.name())).append(",\n");
        sb.append("  \"granularity\": ").append(str(period.granularity().name())).append(",\n");
        sb.append("  \"periodStart\": ").append(str(period.start().toString())).append(",\n");
        sb.append("  \"periodEnd\": ").append(str(period.end().toString())).append(",\n");
        sb.append("  \"sourceRecords\": ").append(summary.sourceRecords()).append(",\n");
        sb.append("  \"inexactRecords\": ").append(summary.inexactRecords()).append(",\n");
        sb.append("  \"lateRecords\": ").append(summary.lateRecords()).append(",\n");
        sb.append("  \"files\": [");
        for (int i = 0; i < files.size(); i++) {
            FileEntry f = files.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"name\": ").append(str(f.name())).append(", \"rows\": ")
                    .append(f.rows()).append(", \"sha256\": ").append(str(f.sha256())).append(", \"bytes\": ")
                    .append(f.bytes()).append('}');
        }
        sb.append("\n  ]\n}\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Temp file in the target's directory (so the rename cannot cross file systems), fsync, atomic rename, then fsync
     * of the directory so the rename itself survives a crash. A reader sees the old file or the new one, never half.
     */
    static void writeAtomically(Path target, byte[] content) throws IOException {
        Path dir = target.getParent();
        Path temp = Files.createTempFile(dir, TEMP_PREFIX + target.getFileName() + "-", "");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(dir);
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for fsync; the rename is still atomic there.
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Leftovers of a run that died between creating and renaming a temp file. */
    static List<Path> temporaryFiles(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).forEach(out::add);
            }
        }
        return out;
    }

    private static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
