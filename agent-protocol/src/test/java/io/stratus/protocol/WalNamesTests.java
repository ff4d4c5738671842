package io.stratus.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WalNamesTests {

    // The figures are what pg_walfile_name() answers on a 15.x compute for the same LSNs.
    @Test
    void theSegmentOfAnLsnIsNamedAsPostgresNamesIt() {
        assertThat(WalNames.segmentOf("0/16B3748", 1)).isEqualTo("000000010000000000000001");
        assertThat(WalNames.segmentOf("0/3000000", 1)).isEqualTo("000000010000000000000003");
        assertThat(WalNames.segmentOf("1/A0000028", 2)).isEqualTo("0000000200000001000000A0");
    }

    @Test
    void segmentNumbersCompareAcrossTimelinesAndSuffixes() {
        assertThat(WalNames.segmentNumber("0000000200000001000000A0"))
                .isGreaterThan(WalNames.segmentNumber("0000000100000000000000FF"));
        assertThat(WalNames.segmentNumber("000000010000000000000003.00000028.backup"))
                .isEqualTo(WalNames.segmentNumber("000000010000000000000003"));
        assertThat(WalNames.isSegment("00000002.history")).isFalse();
        assertThat(WalNames.isHistory("00000002.history")).isTrue();
    }
}
