package io.stratus.agent.metering;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Statement texts as pg_stat_statements keeps them (normalised, comments kept), and the kind their rows count as. */
class StatementClassifierTests {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            SELECT $1                                                        | READ
            select * from t where id = $1                                    | READ
            /* app=web */ SELECT 1                                           | READ
            -- leading comment\\n SELECT 1                                   | READ
            /* outer /* nested */ still comment */ INSERT INTO t VALUES ($1) | WRITE
            ((SELECT 1) UNION (SELECT 2))                                    | READ
            VALUES ($1), ($2)                                                | READ
            TABLE t                                                          | READ
            FETCH 10 FROM c                                                  | READ
            INSERT INTO t SELECT * FROM u                                    | WRITE
            update t set v = v + $1                                          | WRITE
            DELETE FROM t WHERE id < $1                                      | WRITE
            MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE     | WRITE
            WITH x AS (SELECT 1) SELECT * FROM x                             | READ
            WITH x AS (SELECT 1), y AS (SELECT 2) INSERT INTO t SELECT * FROM y | WRITE
            WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r | READ
            WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d     | READ
            WITH update AS (SELECT 'insert' AS "select") DELETE FROM t       | WRITE
            WITH x AS MATERIALIZED (SELECT ')(') UPDATE t SET v = 1          | WRITE
            WITH "insert" AS NOT MATERIALIZED (SELECT 1) TABLE "insert"     | READ
            COPY t TO STDOUT                                                 | READ
            COPY (SELECT * FROM t WHERE a IN (SELECT 1)) TO STDOUT           | READ
            COPY t (a, b) FROM STDIN                                         | WRITE
            copy t from stdin with (format csv)                              | WRITE
            BEGIN                                                            | TRANSACTION_CONTROL
            begin isolation level serializable                               | TRANSACTION_CONTROL
            START TRANSACTION READ ONLY                                      | TRANSACTION_CONTROL
            COMMIT                                                           | TRANSACTION_CONTROL
            END                                                              | TRANSACTION_CONTROL
            ROLLBACK                                                         | TRANSACTION_CONTROL
            ABORT                                                            | TRANSACTION_CONTROL
            SAVEPOINT s                                                      | TRANSACTION_CONTROL
            RELEASE SAVEPOINT s                                              | TRANSACTION_CONTROL
            ROLLBACK TO SAVEPOINT s                                          | TRANSACTION_CONTROL
            PREPARE TRANSACTION 'tx1'                                        | TRANSACTION_CONTROL
            COMMIT PREPARED 'tx1'                                            | TRANSACTION_CONTROL
            PREPARE q(int) AS UPDATE t SET v = $1 WHERE id <= $2             | WRITE
            PREPARE r AS WITH x AS (SELECT 1) SELECT * FROM x                | READ
            PREPARE "as"(text) AS (SELECT $1)                                | READ
            PREPARE ddl AS CREATE TABLE t (id int)                           | OTHER
            CREATE TABLE t (id int)                                          | OTHER
            EXPLAIN SELECT 1                                                 | OTHER
            SET application_name = 'x'                                       | OTHER
            PREPARE p AS SELECT 1                                            | READ
            ''                                                               | OTHER
            """)
    void classifiesByTheLeadingStatement(String sql, StatementKind kind) {
        assertThat(StatementClassifier.classify(sql.replace("\\n", "\n"))).isEqualTo(kind);
    }
}
