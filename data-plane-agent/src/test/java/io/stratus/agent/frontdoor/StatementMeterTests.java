package io.stratus.agent.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.agent.metering.WireTally;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The billing rules on message sequences as servers send them (the real protocol end to end is
 * FrontDoorMeteringEndToEndTests'): what is one request, whose rows are whose.
 */
class StatementMeterTests {

    private final WireTally tally = new WireTally();
    private final UUID db = UUID.randomUUID();
    private final StatementMeter meter = new StatementMeter(tally.of(db));
    private final MessageFramer.Sink client = meter.client();
    private final MessageFramer.Sink server = meter.server();

    @Test
    void eachStatementOfAQueryIsARequestAndAFailedOneIsNot() {
        query();
        rows(1);
        complete("SELECT 1");
        complete("INSERT 0 2");
        server.message(PgWire.ERROR_RESPONSE);
        ready('I');

        assertTotals(2, 1, 2);
    }

    @Test
    void transactionControlFramesRequestsAndIsNotBilled() {
        query();
        complete("BEGIN");
        complete("UPDATE 3");
        complete("SAVEPOINT");
        complete("RELEASE");
        complete("COMMIT");
        ready('I');
        query();
        complete("PREPARE");
        complete("DEALLOCATE ALL");
        complete("START TRANSACTION");
        complete("ROLLBACK");
        ready('I');

        assertTotals(1, 0, 3);
    }

    @Test
    void aPortalFetchedInPartsIsOneRequestWithEveryRowSent() {
        for (int part = 0; part < 2; part++) {
            execute("");
            sync();
            rows(10);
            server.message(PgWire.PORTAL_SUSPENDED);
            ready('T');
        }
        execute("");
        sync();
        rows(3);
        complete("SELECT 3");
        ready('T');

        assertTotals(1, 23, 0);
    }

    @Test
    void aPortalClosedBeforeItsEndIsBilledOnceForTheRowsSent() {
        execute("");
        sync();
        rows(10);
        server.message(PgWire.PORTAL_SUSPENDED);
        ready('T');
        query();
        complete("COMMIT");
        ready('I');
        // A new transaction: a new portal of the same (unnamed) name is a new request.
        execute("");
        sync();
        rows(4);
        server.message(PgWire.PORTAL_SUSPENDED);
        ready('T');

        assertTotals(2, 14, 0);
    }

    @Test
    void aStatementRunBetweenTwoPartsOfAPortalIsARequestOfItsOwn() {
        execute("c1");
        sync();
        rows(10);
        server.message(PgWire.PORTAL_SUSPENDED);
        ready('T');
        execute("");
        sync();
        complete("UPDATE 5");
        ready('T');
        execute("c1");
        sync();
        rows(2);
        complete("SELECT 2");
        ready('T');

        assertTotals(2, 12, 5);
    }

    @Test
    void anErrorInAPipelineSkipsTheExecutesUpToItsSync() {
        execute("");
        execute("");
        execute("");
        sync();
        complete("INSERT 0 1");
        server.message(PgWire.ERROR_RESPONSE);
        ready('I');
        execute("");
        sync();
        rows(1);
        complete("SELECT 1");
        ready('I');

        assertTotals(2, 1, 1);
    }

    @Test
    void copyRowsCountByTheirDirectionAndSelectIntoByItsTag() {
        query();
        server.message(PgWire.COPY_IN_RESPONSE);
        complete("COPY 50");
        ready('I');
        query();
        server.message(PgWire.COPY_OUT_RESPONSE);
        complete("COPY 7");
        ready('I');
        query();
        complete("SELECT 5");
        complete("MOVE 3");
        ready('I');

        assertTotals(4, 12, 50);
    }

    @Test
    void bytesEachWayAreCounted() {
        meter.sent(100);
        meter.received(40);
        meter.flush();

        assertThat(tally.totals(db).egressBytes()).isEqualTo(100);
        assertThat(tally.totals(db).ingressBytes()).isEqualTo(40);
    }

    private void assertTotals(long requests, long read, long written) {
        meter.flush();
        WireTally.Totals t = tally.totals(db);
        assertThat(t.requests()).as("requests").isEqualTo(requests);
        assertThat(t.rowsRead()).as("rows read").isEqualTo(read);
        assertThat(t.rowsWritten()).as("rows written").isEqualTo(written);
    }

    private void query() {
        client.message(PgWire.QUERY);
    }

    private void execute(String portal) {
        byte[] name = (portal + "\0\0\0\0\0").getBytes(StandardCharsets.UTF_8);
        client.message(PgWire.EXECUTE);
        client.body(PgWire.EXECUTE, name, name.length);
    }

    private void sync() {
        client.message(PgWire.SYNC);
    }

    private void rows(int n) {
        for (int i = 0; i < n; i++) {
            server.message(PgWire.DATA_ROW);
        }
    }

    private void complete(String tag) {
        byte[] body = (tag + "\0").getBytes(StandardCharsets.US_ASCII);
        server.message(PgWire.COMMAND_COMPLETE);
        server.body(PgWire.COMMAND_COMPLETE, body, body.length);
    }

    private void ready(char status) {
        server.message(PgWire.READY_FOR_QUERY);
        server.body(PgWire.READY_FOR_QUERY, new byte[] {(byte) status}, 1);
    }
}
