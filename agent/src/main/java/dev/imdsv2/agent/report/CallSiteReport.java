package dev.imdsv2.agent.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.imdsv2.agent.policy.Action;

/**
 * The call-site report (README.md, "Metrics and reports"): the readiness verdict of the current phase
 * ({@link Readiness}) and its counts; then the history since the agent started: counts by version and action, and
 * per v1 call site its client, category, counts per action, first and last seen. A small JSON document, written by
 * hand: the agent carries no JSON library. It holds call sites and counts only, never a path or a token.
 */
public final class CallSiteReport {
    private CallSiteReport() {
    }

    public static String json(String agentVersion, RequestCounters counters, CallSites callSites, Readiness readiness,
                              long nowMillis) {
        List<CallSites.Site> sites = new ArrayList<CallSites.Site>(callSites.snapshot());
        Readiness.View verdict = readiness.view(nowMillis); // after the snapshot: the last site is read by then
        Collections.sort(sites, new Comparator<CallSites.Site>() {
            @Override
            public int compare(CallSites.Site a, CallSites.Site b) {
                int byPassed = Long.compare(count(b, Action.PASSED), count(a, Action.PASSED));
                return byPassed != 0 ? byPassed : a.site.compareTo(b.site);
            }
        });

        StringBuilder json = new StringBuilder(512 + sites.size() * 256);
        json.append("{\n");
        field(json, 1, "agent", "imdsv2-agent " + agentVersion).append(",\n");
        field(json, 1, "generatedAt", timestamp(nowMillis)).append(",\n");
        field(json, 1, "mode", verdict.mode).append(",\n");
        indent(json, 1).append("\"ready\": ").append(verdict.ready()).append(",\n");
        field(json, 1, "readiness", verdict.state.name()).append(",\n");
        field(json, 1, "verdict", verdict.verdict()).append(",\n");
        indent(json, 1).append("\"v1RequestsReachingImds\": ").append(verdict.v1ReachingImds).append(",\n");
        indent(json, 1).append("\"phase\": {");
        field(json, 0, "mode", verdict.mode).append(", ");
        field(json, 0, "startedAt", timestamp(verdict.phaseStartMillis)).append(", ");
        json.append("\"imdsRequests\": ").append(verdict.imdsRequests).append(", ");
        json.append("\"v1RequestsReachingImds\": ").append(verdict.v1ReachingImds).append(", ");
        json.append("\"lastV1ReachingImds\": ");
        if (verdict.lastReachingSite == null) {
            json.append("null");
        } else {
            json.append('{');
            field(json, 0, "at", timestamp(verdict.lastReachingMillis)).append(", ");
            field(json, 0, "site", verdict.lastReachingSite).append('}');
        }
        json.append("},\n");
        indent(json, 1).append("\"sinceStart\": {\"v1RequestsReachingImds\": ").append(counters.total("v1", Action.PASSED))
                .append("},\n");
        indent(json, 1).append("\"requests\": {\"v1\": {");
        actionCounts(json, counters, "v1");
        json.append("}, \"v2\": ").append(counters.total("v2", null)).append("},\n");
        suggestedPolicy(json, sites);
        indent(json, 1).append("\"callSites\": [");
        for (int i = 0; i < sites.size(); i++) {
            CallSites.Site site = sites.get(i);
            json.append(i == 0 ? "\n" : ",\n");
            indent(json, 2).append("{");
            field(json, 0, "site", site.site).append(", ");
            field(json, 0, "client", site.client).append(", ");
            field(json, 0, "category", site.category.tag()).append(", ");
            json.append("\"counts\": {");
            for (Action action : Action.values()) {
                json.append(action.ordinal() == 0 ? "" : ", ").append('"').append(action.tag()).append("\": ")
                        .append(count(site, action));
            }
            json.append("}, ");
            field(json, 0, "firstSeen", timestamp(site.firstSeenMillis)).append(", ");
            field(json, 0, "lastSeen", timestamp(site.lastSeenMillis)).append(", ");
            json.append("\"reachesImdsAsV1\": ").append(count(site, Action.PASSED) > 0).append('}');
        }
        json.append(sites.isEmpty() ? "]\n" : "\n" + "  ]\n");
        json.append("}\n");
        return json.toString();
    }

    /**
     * The callers and paths seen, ready to paste into {@code imdsv2.upgrade.callers} / {@code imdsv2.upgrade.paths}
     * (lists with {@code ;}, which every configuration source accepts): each v1 call site's class, and the path
     * prefixes of the categories they read. A starting point to narrow, not a verdict: review it before enforcing.
     */
    private static void suggestedPolicy(StringBuilder json, List<CallSites.Site> sites) {
        Set<String> callers = new TreeSet<String>();
        Set<String> paths = new TreeSet<String>();
        for (CallSites.Site site : sites) {
            int paren = site.site.indexOf('(');
            int dot = paren < 0 ? -1 : site.site.lastIndexOf('.', paren);
            if (dot > 0) {
                callers.add(site.site.substring(0, dot));
            }
            paths.addAll(Arrays.asList(site.category.allowingPathPrefixes()));
        }
        String callerList = join(callers);
        String pathList = paths.contains("*") ? "*" : join(paths);
        indent(json, 1).append("\"suggestedPolicy\": {");
        field(json, 0, "upgrade.callers", callerList).append(", ");
        field(json, 0, "upgrade.paths", pathList).append(", ");
        field(json, 0, "agentArguments", "upgrade.callers=" + callerList + ",upgrade.paths=" + pathList).append("},\n");
    }

    private static String join(Set<String> items) {
        StringBuilder text = new StringBuilder();
        for (String item : items) {
            text.append(text.length() == 0 ? "" : ";").append(item);
        }
        return text.toString();
    }

    private static void actionCounts(StringBuilder json, RequestCounters counters, String version) {
        for (Action action : Action.values()) {
            json.append(action.ordinal() == 0 ? "" : ", ").append('"').append(action.tag()).append("\": ")
                    .append(counters.total(version, action));
        }
    }

    private static long count(CallSites.Site site, Action action) {
        Long n = site.counts.get(action);
        return n == null ? 0 : n;
    }

    private static StringBuilder indent(StringBuilder json, int depth) {
        for (int i = 0; i < depth; i++) {
            json.append("  ");
        }
        return json;
    }

    private static StringBuilder field(StringBuilder json, int depth, String name, String value) {
        indent(json, depth).append('"').append(name).append("\": ");
        return string(json, value);
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    static StringBuilder string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
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
