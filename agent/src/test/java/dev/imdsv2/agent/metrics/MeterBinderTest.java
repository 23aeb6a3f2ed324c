package dev.imdsv2.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.imdsv2.agent.config.Mode;
import dev.imdsv2.agent.report.Action;
import dev.imdsv2.agent.report.AssembledAgentState;
import dev.imdsv2.agent.report.Category;

/** The meters README.md lists, bound to a plain Micrometer registry and read back: names, tags and live values. */
class MeterBinderTest {
    private static final String SITE = "com.example.Legacy.read(Legacy.java:12)";

    private static MeterRegistry bound(AssembledAgentState state) throws ReflectiveOperationException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new MeterBinder(registry, "a test registry", MeterRegistry.class.getPackage().getName()).bind(state);
        return registry;
    }

    @Test
    void requestSeriesCountLiveIncludingThoseThatAppearAfterBinding() throws Exception {
        AssembledAgentState state = new AssembledAgentState("mode=upgrade");
        state.request(SITE, "okhttp", "v1", Action.UPGRADED, Category.CREDENTIALS);
        MeterRegistry registry = bound(state);
        state.request(SITE, "okhttp", "v1", Action.UPGRADED, Category.CREDENTIALS);
        state.request(SITE, "apache-httpclient-5", "v2", Action.PASSED, Category.PLACEMENT);

        assertEquals(2, registry.get("imdsv2.requests").tags("client", "okhttp", "version", "v1", "action", "upgraded",
                "category", "credentials").functionCounter().count());
        assertEquals(1, registry.get("imdsv2.requests").tags("client", "apache-httpclient-5", "version", "v2",
                "action", "passed", "category", "placement").functionCounter().count());
        state.counters().countUnauthorized("okhttp");
        assertEquals(1, registry.get("imdsv2.unauthorized").tag("client", "okhttp").functionCounter().count());
        assertEquals(1, registry.get("imdsv2.call.sites").gauge().value());
    }

    @Test
    void theVerdictAndTheModeAreGaugesThatFollowTheState() throws Exception {
        AssembledAgentState state = new AssembledAgentState("mode=observe");
        MeterRegistry registry = bound(state);
        assertEquals(1, registry.get("imdsv2.mode").tag("mode", "observe").gauge().value());
        assertEquals(0, registry.get("imdsv2.mode").tag("mode", "upgrade").gauge().value());
        assertEquals(0, registry.get("imdsv2.ready").gauge().value(), "no verdict before a request");

        state.request(SITE, "urlconnection", "v1", Action.PASSED, Category.IDENTITY);
        assertEquals(1, registry.get("imdsv2.v1.reaching.imds").gauge().value());
        assertEquals(0, registry.get("imdsv2.ready").gauge().value(), "a tokenless request reached IMDS");

        state.switchMode(Mode.UPGRADE);
        assertEquals(0, registry.get("imdsv2.mode").tag("mode", "observe").gauge().value());
        assertEquals(1, registry.get("imdsv2.mode").tag("mode", "upgrade").gauge().value());
        assertEquals(0, registry.get("imdsv2.v1.reaching.imds").gauge().value(), "a new phase counts anew");
        state.request(SITE, "urlconnection", "v1", Action.UPGRADED, Category.IDENTITY);
        assertEquals(1, registry.get("imdsv2.ready").gauge().value(), "upgraded only since the switch");
        assertEquals(1, registry.get("imdsv2.agent.info").tag("version", "0.0.0-test").gauge().value());
    }

    @Test
    void everyMeterHasOnlyTheBoundedTags() throws Exception {
        AssembledAgentState state = new AssembledAgentState("mode=upgrade");
        MeterRegistry registry = bound(state);
        state.request(SITE, "okhttp", "v1", Action.UPGRADED, Category.USER_DATA);
        state.counters().countUnauthorized("okhttp");

        Set<String> names = new TreeSet<>();
        for (Meter meter : registry.getMeters()) {
            names.add(meter.getId().getName());
            for (Tag tag : meter.getId().getTags()) {
                assertTrue(Set.of("client", "version", "action", "category", "outcome", "mode").contains(tag.getKey()),
                        meter.getId() + ": no path, site or class ever becomes a tag");
                assertTrue(!tag.getValue().contains("/") && !tag.getValue().contains("Legacy"), meter.getId().toString());
            }
        }
        assertEquals(new TreeSet<>(List.of("imdsv2.requests", "imdsv2.unauthorized", "imdsv2.token.fetch",
                "imdsv2.token.expiry", "imdsv2.call.sites", "imdsv2.ready", "imdsv2.v1.reaching.imds", "imdsv2.phase.start",
                "imdsv2.agent.info", "imdsv2.mode", "imdsv2.internal.failures")), names);
    }
}
