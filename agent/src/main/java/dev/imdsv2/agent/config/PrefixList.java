package dev.imdsv2.agent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An allow-list of prefixes, as {@code imdsv2.upgrade.callers} and {@code imdsv2.upgrade.paths} take them.
 * {@code *} alone allows everything; inside an entry, {@code *} stands for any run of characters, so
 * {@code *.com.amazonaws.} also allows relocated copies of the AWS SDK. Every entry is a prefix: what
 * follows it is not looked at.
 */
public final class PrefixList {
    private static final PrefixList ANY = new PrefixList(Collections.<String>emptyList(), true);

    private final List<String> entries;
    private final boolean any;

    private PrefixList(List<String> entries, boolean any) {
        this.entries = entries;
        this.any = any;
    }

    static PrefixList of(List<String> items) {
        List<String> entries = new ArrayList<String>();
        for (String item : items) {
            String entry = item.trim();
            if ("*".equals(entry)) {
                return ANY;
            }
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("expected '*' or a list of prefixes");
        }
        return new PrefixList(Collections.unmodifiableList(entries), false);
    }

    public boolean allowsAll() {
        return any;
    }

    public boolean allows(String value) {
        if (any) {
            return true;
        }
        if (value == null) {
            return false;
        }
        for (String entry : entries) {
            if (matchesPrefix(entry, value)) {
                return true;
            }
        }
        return false;
    }

    /** Glob-prefix match: literal parts in order, the first anchored at the start, each {@code *} skipping ahead. */
    private static boolean matchesPrefix(String pattern, String value) {
        String[] parts = pattern.split("\\*", -1);
        if (!value.startsWith(parts[0])) {
            return false;
        }
        int at = parts[0].length();
        for (int i = 1; i < parts.length; i++) {
            int found = value.indexOf(parts[i], at);
            if (found < 0) {
                return false;
            }
            at = found + parts[i].length();
        }
        return true;
    }

    @Override
    public String toString() {
        return any ? "*" : String.join(";", entries);
    }
}
