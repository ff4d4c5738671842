package io.stratus.agent.metering;

/**
 * Tells a statement's kind from its text, as pg_stat_statements stores it (normalised, one statement, possibly with
 * comments before it): by the leading keyword, after comments and opening parentheses; {@code WITH ...} by the
 * statement its common table expressions lead to; {@code COPY} by its direction; {@code PREPARE name AS statement} by
 * its statement (pg_stat_statements counts each {@code EXECUTE} there); {@code EXPLAIN} as neither; transaction
 * control as no request at all ({@link StatementKind#TRANSACTION_CONTROL}).
 *
 * <p>Reads: SELECT, VALUES, TABLE, FETCH, COPY ... TO. Writes: INSERT, UPDATE, DELETE, MERGE, COPY ... FROM. A data-
 * modifying CTE under a SELECT counts as a read: pg_stat_statements' rows are the rows the top statement returned.
 *
 * <p>The rules only; {@link SqlLexer} gets them past comments, literals and parenthesised groups.
 */
public final class StatementClassifier {

    /**
     * The classification rules' version, kept with every usage cursor. Change it with any change to what kind a
     * statement text gets: the cumulative sums a cursor holds were made with one set of rules, and a sum made with
     * other rules is no baseline for them (moving BEGIN out of the requests made the sum go down by every BEGIN the
     * compute ever ran). Version 2: transaction control is no request, {@code PREPARE ... AS} counts as its statement.
     */
    public static final int VERSION = 2;

    private StatementClassifier() {
    }

    public static StatementKind classify(String sql) {
        if (sql == null) {
            return StatementKind.OTHER;
        }
        SqlLexer lexer = new SqlLexer(sql);
        String first = lexer.nextWordSkippingParens();
        if (first == null) {
            return StatementKind.OTHER;
        }
        return switch (first) {
            case "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release" ->
                    StatementKind.TRANSACTION_CONTROL;
            case "prepare" -> prepared(lexer);
            default -> byLeadingWord(first, lexer);
        };
    }

    private static StatementKind byLeadingWord(String first, SqlLexer lexer) {
        return switch (first) {
            case "select", "values", "table", "fetch" -> StatementKind.READ;
            case "insert", "update", "delete", "merge" -> StatementKind.WRITE;
            case "with" -> afterCommonTableExpressions(lexer);
            case "copy" -> copyDirection(lexer);
            default -> StatementKind.OTHER;
        };
    }

    /**
     * {@code PREPARE TRANSACTION 'id'} is transaction control. {@code PREPARE name [(types)] AS statement} is where
     * pg_stat_statements files every {@code EXECUTE name} (with its rows): it is the statement after {@code AS}.
     */
    private static StatementKind prepared(SqlLexer lexer) {
        SqlLexer.Token name = lexer.nextTopLevel();
        if (name == null) {
            return StatementKind.OTHER;
        }
        if (name.isWord("transaction")) {
            return StatementKind.TRANSACTION_CONTROL;
        }
        for (SqlLexer.Token t = lexer.nextTopLevel(); t != null; t = lexer.nextTopLevel()) {
            if (t.isWord("as")) {
                String statement = lexer.nextWordSkippingParens();
                return statement == null ? StatementKind.OTHER : byLeadingWord(statement, lexer);
            }
        }
        return StatementKind.OTHER;
    }

    /**
     * {@code WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (body) [SEARCH ...|CYCLE ...] [, ...] statement}:
     * a CTE's name may be an unreserved keyword such as {@code update}, so names are skipped by position, not by word.
     */
    private static StatementKind afterCommonTableExpressions(SqlLexer lexer) {
        boolean expectName = true;
        while (true) {
            SqlLexer.Token t = lexer.nextTopLevel();
            if (t == null) {
                return StatementKind.OTHER;
            }
            if (expectName) {
                if (t.isWord("recursive")) {
                    continue;
                }
                expectName = false;
                // Its name; the column list, AS, MATERIALIZED and the body follow and are skipped below.
                continue;
            }
            if (t.isComma()) {
                expectName = true;
                continue;
            }
            if (t.word() != null) {
                switch (t.word()) {
                    case "select", "values", "table" -> {
                        return StatementKind.READ;
                    }
                    case "insert", "update", "delete", "merge" -> {
                        return StatementKind.WRITE;
                    }
                    default -> {
                        // AS, NOT, MATERIALIZED, SEARCH/CYCLE clause words: keep going.
                    }
                }
            }
        }
    }

    /** {@code COPY table [(cols)] FROM|TO ...} or {@code COPY (query) TO ...}. */
    private static StatementKind copyDirection(SqlLexer lexer) {
        for (SqlLexer.Token t = lexer.nextTopLevel(); t != null; t = lexer.nextTopLevel()) {
            if (t.isWord("to")) {
                return StatementKind.READ;
            }
            if (t.isWord("from")) {
                return StatementKind.WRITE;
            }
        }
        return StatementKind.OTHER;
    }
}
