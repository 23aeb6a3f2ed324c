package dev.imdsv2.agent.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

import dev.imdsv2.agent.log.Formats;

/**
 * Writes the CLI's {@code --json} documents from plain values: {@link Map} (an object, in its iteration order),
 * {@link List}, {@link String}, {@link Number}, {@link Boolean} and null. Everything outside printable ASCII is
 * written as a {@code \\u} escape, so the document reads the same whatever the platform's output encoding.
 */
final class Json {
    private Json() {
    }

    static String write(Object value) {
        StringBuilder json = new StringBuilder();
        value(json, value, 0);
        return json.append('\n').toString();
    }

    private static void value(StringBuilder json, Object value, int depth) {
        if (value == null || value instanceof Boolean || value instanceof Long || value instanceof Integer) {
            json.append(value);
        } else if (value instanceof String) {
            Formats.jsonString(json, (String) value);
        } else if (value instanceof Map) {
            object(json, (Map<?, ?>) value, depth);
        } else if (value instanceof List) {
            array(json, (List<?>) value, depth);
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    private static void object(StringBuilder json, Map<?, ?> members, int depth) {
        if (members.isEmpty()) {
            json.append("{}");
            return;
        }
        json.append('{');
        Iterator<? extends Map.Entry<?, ?>> entries = members.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<?, ?> member = entries.next();
            newLine(json, depth + 1);
            Formats.jsonString(json, (String) member.getKey());
            json.append(": ");
            value(json, member.getValue(), depth + 1);
            if (entries.hasNext()) {
                json.append(',');
            }
        }
        newLine(json, depth);
        json.append('}');
    }

    private static void array(StringBuilder json, List<?> elements, int depth) {
        if (elements.isEmpty()) {
            json.append("[]");
            return;
        }
        json.append('[');
        for (int i = 0; i < elements.size(); i++) {
            newLine(json, depth + 1);
            value(json, elements.get(i), depth + 1);
            if (i < elements.size() - 1) {
                json.append(',');
            }
        }
        newLine(json, depth);
        json.append(']');
    }

    private static void newLine(StringBuilder json, int depth) {
        json.append('\n');
        for (int i = 0; i < depth; i++) {
            json.append("  ");
        }
    }
}
