package io.stratus.controlplane.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * A price plan as stored and shown. Immutable once created: a price change is a new plan that tenants are moved to,
 * so an invoice always names the exact prices it was computed with.
 *
 * @param pricePerMillionRequests price of 1,000,000 requests
 * @param pricePerCuHour          price of one CU running for one hour
 * @param pricePerGbMonth         price of 10^9 bytes stored for 730 hours
 * @param pricePerGbEgress        price of 10^9 bytes sent to clients
 * @param freeRequests            requests per month not charged
 * @param freeCuHours             CU-hours per month not charged
 * @param freeGbMonths            GB-months per month not charged
 * @param freeEgressGb            egress GB per month not charged
 * @param pricePerGbMonthBackup   price of 10^9 bytes held in the backup store (base backups and archived WAL) for 730
 *                                hours
 * @param freeBackupGbMonths      backup GB-months per month not charged
 */
public record PricePlan(UUID id, String name, String currency, BigDecimal pricePerMillionRequests,
                        BigDecimal pricePerCuHour, BigDecimal pricePerGbMonth, BigDecimal pricePerGbEgress,
                        long freeRequests, BigDecimal freeCuHours, BigDecimal freeGbMonths, BigDecimal freeEgressGb,
                        BigDecimal pricePerGbMonthBackup, BigDecimal freeBackupGbMonths, Instant createdAt) {

    /** A plan that does not price backup storage (0, as plans made before it was metered). */
    public PricePlan(UUID id, String name, String currency, BigDecimal pricePerMillionRequests, BigDecimal pricePerCuHour,
                     BigDecimal pricePerGbMonth, BigDecimal pricePerGbEgress, long freeRequests, BigDecimal freeCuHours,
                     BigDecimal freeGbMonths, BigDecimal freeEgressGb, Instant createdAt) {
        this(id, name, currency, pricePerMillionRequests, pricePerCuHour, pricePerGbMonth, pricePerGbEgress, freeRequests,
                freeCuHours, freeGbMonths, freeEgressGb, BigDecimal.ZERO, BigDecimal.ZERO, createdAt);
    }
}
