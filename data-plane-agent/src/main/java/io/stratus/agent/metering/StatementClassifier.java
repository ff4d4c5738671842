package io.stratus.agent.metering;

import java.util.Locale;

/**
 * Tells a statement's kind from its text, as pg_stat_statements stores it (normalised, one statement, possibly with
 * comments before it): by the leading keyword, after comments and opening parentheses; {@code WITH ...} by the
 * statement its common table expressions lead to; {@code COPY} by its direction; {@code PREPARE name AS statement} by
 * its statement (pg_stat_statements counts each {@code EXECUTE} there); {@code EXPLAIN} as neither; transaction
 * control as no request at all ({@link StatementKind#TRANSACTION_CONTROL}).
 *
 * <p>Reads: SELECT, VALUES, TABLE, FETCH, COPY ... TO. Writes: INSERT, UPDATE, DELETE, MERGE, COPY ... FROM. A data-
 * modifying CTE under a SELECT counts as a read: pg_stat_statements' rows are the rows the top statement returned.
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
        Lexer lexer = new Lexer(sql);
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

    private static StatementKind byLeadingWord(String first, Lexer lexer) {
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
    private static StatementKind prepared(Lexer lexer) {
        Lexer.Token name = lexer.nextTopLevel();
        if (name == null) {
            return StatementKind.OTHER;
        }
        if (name.isWord("transaction")) {
            return StatementKind.TRANSACTION_CONTROL;
        }
        for (Lexer.Token t = lexer.nextTopLevel(); t != null; t = lexer.nextTopLevel()) {
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
    private static StatementKind afterCommonTableExpressions(Lexer lexer) {
        boolean expectName = true;
        while (true) {
            Lexer.Token t = lexer.nextTopLevel();
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
    private static StatementKind copyDirection(Lexer lexer) {
        for (Lexer.Token t = lexer.nextTopLevel(); t != null; t = lexer.nextTopLevel()) {
            if (t.isWord("to")) {
                return StatementKind.READ;
            }
            if (t.isWord("from")) {
                return StatementKind.WRITE;
            }
        }
        return StatementKind.OTHER;
    }

    /**
     * Splits SQL into top-level tokens: words (lower-cased), commas, and everything else; skips whitespace, comments
     * ({@code --} and nested {@code /* *\/}), string literals (also {@code E''} and dollar-quoted), quoted identifiers,
     * and whole parenthesised groups.
     */
    private static final class Lexer {

        record Token(String word, char symbol) {
            boolean isWord(String w) {
                return w.equals(word);
            }

            boolean isComma() {
                return word == null && symbol == ',';
            }
        }

        private final String s;
        private int i;

        Lexer(String s) {
            this.s = s;
        }

        /** The first word, stepping into (not over) leading parentheses: {@code ((SELECT 1))} starts with select. */
        String nextWordSkippingParens() {
            while (true) {
                skipSpaceAndComments();
                if (i >= s.length()) {
                    return null;
                }
                char c = s.charAt(i);
                if (c == '(') {
                    i++;
                    continue;
                }
                return isWordStart(c) ? word() : null;
            }
        }

        /** The next token at this nesting level, or null at the end of the text (or of the enclosing group). */
        Token nextTopLevel() {
            while (true) {
                skipSpaceAndComments();
                if (i >= s.length()) {
                    return null;
                }
                char c = s.charAt(i);
                if (c == '(') {
                    skipGroup();
                    continue;
                }
                if (c == ')') {
                    return null;
                }
                if (c == '\'' ) {
                    skipQuoted('\'');
                    continue;
                }
                if (c == '"') {
                    skipQuoted('"');
                    // A quoted identifier is a name, never a keyword.
                    return new Token(null, '"');
                }
                if (c == '$' && skipDollarQuoted()) {
                    continue;
                }
                if (isWordStart(c)) {
                    return new Token(word(), (char) 0);
                }
                i++;
                return new Token(null, c);
            }
        }

        private String word() {
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '$')) {
                i++;
            }
            String w = s.substring(start, i).toLowerCase(Locale.ROOT);
            // E'...', U&'...', B'...', X'...': the literal belongs to the prefix.
            if (i < s.length() && s.charAt(i) == '\'') {
                skipQuoted('\'');
            }
            return w;
        }

        private void skipGroup() {
            int depth = 0;
            while (i < s.length()) {
                skipSpaceAndComments();
                if (i >= s.length()) {
                    return;
                }
                char c = s.charAt(i);
                if (c == '(') {
                    depth++;
                    i++;
                } else if (c == ')') {
                    depth--;
                    i++;
                    if (depth == 0) {
                        return;
                    }
                } else if (c == '\'' || c == '"') {
                    skipQuoted(c);
                } else if (c == '$' && skipDollarQuoted()) {
                    // skipped
                } else {
                    i++;
                }
            }
        }

        private void skipSpaceAndComments() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '-' && i + 1 < s.length() && s.charAt(i + 1) == '-') {
                    while (i < s.length() && s.charAt(i) != '\n') {
                        i++;
                    }
                } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                    int depth = 0;
                    do {
                        if (s.startsWith("/*", i)) {
                            depth++;
                            i += 2;
                        } else if (s.startsWith("*/", i)) {
                            depth--;
                            i += 2;
                        } else {
                            i++;
                        }
                    } while (depth > 0 && i < s.length());
                } else {
                    return;
                }
            }
        }

        /** Skips '...' or "..." with doubled quotes inside (and backslash escapes, harmless to honour here). */
        private void skipQuoted(char q) {
            i++;
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '\\' && q == '\'' && i < s.length()) {
                    i++;
                } else if (c == q) {
                    if (i < s.length() && s.charAt(i) == q) {
                        i++;
                    } else {
                        return;
                    }
                }
            }
        }

        /** Skips $tag$...$tag$ when one starts here; false (and nothing consumed) for $1 parameters and the like. */
        private boolean skipDollarQuoted() {
            int end = s.indexOf('$', i + 1);
            if (end < 0) {
                return false;
            }
            String tag = s.substring(i, end + 1);
            for (int k = 1; k < tag.length() - 1; k++) {
                char c = tag.charAt(k);
                if (!(Character.isLetter(c) || c == '_' || (k > 1 && Character.isDigit(c)))) {
                    return false;
                }
            }
            int close = s.indexOf(tag, end + 1);
            i = close < 0 ? s.length() : close + tag.length();
            return true;
        }

        private static boolean isWordStart(char c) {
            return Character.isLetter(c) || c == '_';
        }
    }
}
