package dev.imdsv2.agent.log;

/**
 * The two text forms every output of the agent shares, written by hand because the agent carries no JSON library
 * and keeps java.text and java.time out of its start-up: an ISO-8601 UTC time, and a JSON string.
 */
public final class Formats {
    private Formats() {
    }

    /**
     * A JSON string: quotes and backslashes escaped, and everything outside printable ASCII written as a {@code \\u}
     * escape ({@code \\n} and {@code \\t} as such), so a line reads the same whatever the output's encoding.
     */
    public static StringBuilder jsonString(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c == '\n') {
                json.append("\\n");
            } else if (c == '\t') {
                json.append("\\t");
            } else if (c < 0x20 || c > 0x7e) {
                json.append("\\u").append(Character.forDigit(c >> 12, 16)).append(Character.forDigit((c >> 8) & 0xf, 16))
                        .append(Character.forDigit((c >> 4) & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                json.append(c);
            }
        }
        return json.append('"');
    }

    /**
     * ISO-8601 UTC with milliseconds ({@code 2026-01-31T23:59:59.999Z}). Computed by hand (days to civil date,
     * H. Hinnant's algorithm) because java.text and java.time pull in ~60-100 locale and formatter classes, a
     * cost the shutdown hook should not add to every exit.
     */
    public static String timestamp(long millis) {
        long days = Math.floorDiv(millis, 86_400_000L);
        long millisOfDay = Math.floorMod(millis, 86_400_000L);
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthIndex = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
        long month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder text = new StringBuilder(24);
        pad(text, year, 4).append('-');
        pad(text, month, 2).append('-');
        pad(text, day, 2).append('T');
        pad(text, millisOfDay / 3_600_000, 2).append(':');
        pad(text, millisOfDay / 60_000 % 60, 2).append(':');
        pad(text, millisOfDay / 1000 % 60, 2).append('.');
        return pad(text, millisOfDay % 1000, 3).append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder text, long value, int width) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            text.append('0');
        }
        return text.append(digits);
    }
}
