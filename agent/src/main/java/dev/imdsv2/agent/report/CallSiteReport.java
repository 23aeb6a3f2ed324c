package dev.imdsv2.agent.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.imdsv2.agent.log.Formats;

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
        field(json, 1, "generatedAt", Formats.timestamp(nowMillis)).append(",\n");
        field(json, 1, "mode", verdict.mode).append(",\n");
        indent(json, 1).append("\"ready\": ").append(verdict.ready()).append(",\n");
        field(json, 1, "readiness", verdict.state.name()).append(",\n");
        field(json, 1, "verdict", verdict.verdict()).append(",\n");
        indent(json, 1).append("\"v1RequestsReachingImds\": ").append(verdict.v1ReachingImds).append(",\n");
        indent(json, 1).append("\"phase\": {");
        field(json, 0, "mode", verdict.mode).append(", ");
        field(json, 0, "startedAt", Formats.timestamp(verdict.phaseStartMillis)).append(", ");
        json.append("\"imdsRequests\": ").append(verdict.imdsRequests).append(", ");
        json.append("\"v1RequestsReachingImds\": ").append(verdict.v1ReachingImds).append(", ");
        json.append("\"lastV1ReachingImds\": ");
        if (verdict.lastReachingSite == null) {
            json.append("null");
        } else {
            json.append('{');
            field(json, 0, "at", Formats.timestamp(verdict.lastReachingMillis)).append(", ");
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
            field(json, 0, "firstSeen", Formats.timestamp(site.firstSeenMillis)).append(", ");
            field(json, 0, "lastSeen", Formats.timestamp(site.lastSeenMillis)).append(", ");
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
        return Formats.jsonString(json, value);
    }

}
