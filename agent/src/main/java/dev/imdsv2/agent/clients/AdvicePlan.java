package dev.imdsv2.agent.clients;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the clients declare ({@link ClientInstrumentation#advise}): per class, which methods take which advice class. */
public final class AdvicePlan {

    /** One declaration: the methods of a class that take an advice class. */
    static final class Entry {
        final MethodMatcher methods;
        final String adviceClass;

        Entry(MethodMatcher methods, String adviceClass) {
            this.methods = methods;
            this.adviceClass = adviceClass;
        }
    }

    private final Map<String, List<Entry>> byClass = new LinkedHashMap<String, List<Entry>>();

    /**
     * The methods of {@code className} ({@code a.b.C}) that {@code methods} matches take the advice of
     * {@code adviceClass}, which is named, not referenced: it is read from the agent jar as a class file.
     */
    public AdvicePlan advise(String className, MethodMatcher methods, String adviceClass) {
        String internalName = className.replace('.', '/');
        List<Entry> entries = byClass.get(internalName);
        if (entries == null) {
            entries = new ArrayList<Entry>();
            byClass.put(internalName, entries);
        }
        entries.add(new Entry(methods, adviceClass));
        return this;
    }

    /** The declarations for a class, by internal name; null when it has none. */
    List<Entry> forClass(String internalName) {
        return byClass.get(internalName);
    }
}
