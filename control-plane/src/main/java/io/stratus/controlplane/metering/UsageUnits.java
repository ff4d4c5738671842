package io.stratus.controlplane.metering;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The billing units usage is shown and priced in, defined once so the usage API and invoices agree.
 *
 * <ul>
 *   <li>1 GB = 10<sup>9</sup> bytes (decimal, as storage and egress are usually sold);</li>
 *   <li>1 month = 730 hours (8760 / 12), so 1 GB-month = 10<sup>9</sup> × 730 × 3600 byte-seconds;</li>
 *   <li>1 CU-hour = 3600 CU-seconds.</li>
 * </ul>
 * Conversions that do not divide exactly are rounded half-even to a fixed scale ({@link #CU_HOURS_SCALE},
 * {@link #GB_MONTHS_SCALE}); callers that sum should sum the exact base units first and convert once.
 */
public final class UsageUnits {

    /** Bytes in one GB. */
    public static final BigDecimal BYTES_PER_GB = BigDecimal.TEN.pow(9);
    /** Hours in a billing month (a year's 8760 hours over 12 months). */
    public static final BigDecimal HOURS_PER_MONTH = BigDecimal.valueOf(730);
    /** Seconds in one hour. */
    public static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);
    /** Byte-seconds in one GB-month: 10^9 × 730 × 3600. */
    public static final BigDecimal BYTE_SECONDS_PER_GB_MONTH = BYTES_PER_GB.multiply(HOURS_PER_MONTH).multiply(SECONDS_PER_HOUR);
    /** Decimal places of {@link #cuHours}: 1e-9 CU-hour is 3.6 µCU-seconds, below what agents measure. */
    public static final int CU_HOURS_SCALE = 9;
    /** Decimal places of {@link #gbMonths}: 1e-12 GB-month is about 2.6 kB stored for a second. */
    public static final int GB_MONTHS_SCALE = 12;

    private UsageUnits() {
    }

    /** CU-seconds → CU-hours, half-even to {@value #CU_HOURS_SCALE} places. */
    public static BigDecimal cuHours(BigDecimal cuSeconds) {
        return cuSeconds.divide(SECONDS_PER_HOUR, CU_HOURS_SCALE, RoundingMode.HALF_EVEN);
    }

    /** Storage byte-seconds → GB-months, half-even to {@value #GB_MONTHS_SCALE} places. */
    public static BigDecimal gbMonths(BigDecimal byteSeconds) {
        return byteSeconds.divide(BYTE_SECONDS_PER_GB_MONTH, GB_MONTHS_SCALE, RoundingMode.HALF_EVEN);
    }

    /** Bytes → GB; exact. */
    public static BigDecimal gb(BigDecimal bytes) {
        return bytes.movePointLeft(9);
    }

    /**
     * A decimal written without exponent and without trailing zeros beyond the integer ({@code 12.500000} →
     * {@code 12.5}, {@code 1E+3} → {@code 1000}), so JSON shows plain numbers.
     */
    public static BigDecimal plain(BigDecimal value) {
        BigDecimal v = value.stripTrailingZeros();
        return v.scale() < 0 ? v.setScale(0) : v;
    }
}
