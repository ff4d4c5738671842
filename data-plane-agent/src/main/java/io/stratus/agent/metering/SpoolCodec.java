package io.stratus.agent.metering;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.CRC32C;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The spool's line format: {@code <CRC-32C of the JSON, 8 hex digits> <JSON of a SpoolEntry>\n}. A line is valid
 * only when complete (newline-terminated), its checksum matches and its JSON reads: a crash mid-append leaves a torn
 * last line that fails one of the three, and it is cut off on recovery.
 */
final class SpoolCodec {

    private static final HexFormat HEX = HexFormat.of();
    private static final int CRC_HEX = 8;

    /**
     * A mapper of its own, so that the file format never changes with the application's JSON settings. A number a
     * line written by an older agent lacks (a cursor's egressBytes) reads as 0, rather than failing the line.
     */
    private final JsonMapper json = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build();

    byte[] encode(SpoolEntry entry) {
        byte[] body = json.writeValueAsBytes(entry);
        byte[] line = new byte[CRC_HEX + 1 + body.length + 1];
        byte[] crc = HEX.formatHex(intBytes(crc(body, 0, body.length))).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(crc, 0, line, 0, CRC_HEX);
        line[CRC_HEX] = ' ';
        System.arraycopy(body, 0, line, CRC_HEX + 1, body.length);
        line[line.length - 1] = '\n';
        return line;
    }

    /** The entry in {@code bytes[from, to)} (a line without its newline), or empty when the line is not valid. */
    Optional<SpoolEntry> decode(byte[] bytes, int from, int to) {
        if (to - from < CRC_HEX + 2 || bytes[from + CRC_HEX] != ' ') {
            return Optional.empty();
        }
        int expected;
        try {
            expected = (int) Long.parseLong(new String(bytes, from, CRC_HEX, StandardCharsets.US_ASCII), 16);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        int bodyFrom = from + CRC_HEX + 1;
        if (crc(bytes, bodyFrom, to - bodyFrom) != expected) {
            return Optional.empty();
        }
        try {
            SpoolEntry entry = json.readValue(Arrays.copyOfRange(bytes, bodyFrom, to), SpoolEntry.class);
            return entry.record() == null || entry.cursor() == null ? Optional.empty() : Optional.of(entry);
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    JsonMapper json() {
        return json;
    }

    private static int crc(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
