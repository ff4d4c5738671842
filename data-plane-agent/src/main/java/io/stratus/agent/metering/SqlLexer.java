package io.stratus.agent.metering;

import java.util.Locale;

/**
 * Splits SQL into top-level tokens: words (lower-cased), commas, and everything else; skips whitespace, comments
 * ({@code --} and nested {@code /* *\/}), string literals (also {@code E''} and dollar-quoted), quoted identifiers,
 * and whole parenthesised groups.
 */
final class SqlLexer {

    /** A word (lower-cased, {@code symbol} 0), or one other character ({@code word} null; {@code "} for a quoted name). */
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

    SqlLexer(String s) {
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
