package dev.imdsv2.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.junit.jupiter.api.Test;

/** The two rules every client shares: which headers mark a relayed request, and which responses a hop reports. */
class RelayHeadersAndResponsesTest {

    @ParameterizedTest
    @CsvSource({
        "200, false, false", "299, false, false", "300, true, true", "301, true, true", "307, true, true",
        "308, true, true", "309, true, true", "399, true, true", "400, false, false", "401, false, true",
        "403, false, false", "404, false, false", "500, false, false",
    })
    void redirectsAndReportedResponses(int status, boolean redirect, boolean reported) {
        assertEquals(redirect, DecisionPath.isRedirect(status), "isRedirect(" + status + ")");
        assertEquals(reported, DecisionPath.isReportedResponse(status), "isReportedResponse(" + status + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Forwarded-For", "x-forwarded-for", "FORWARDED", "Via", "via"})
    void relayHeadersAreFoundWhateverTheirCase(String name) {
        assertTrue(DecisionPath.isRelayHeader(name));
        assertTrue(DecisionPath.carriesRelayHeader(headers("Accept", name)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-aws-ec2-metadata-token", "X-Forwarded-Host", "Accept", ""})
    void otherHeadersAreNot(String name) {
        assertFalse(DecisionPath.isRelayHeader(name));
        assertFalse(DecisionPath.carriesRelayHeader(headers("Accept", name)));
    }

    @Test
    void headersThatCannotBeReadCountAsRelayed() {
        assertTrue(DecisionPath.carriesRelayHeader(new DecisionPath.Headers() {
            @Override
            public boolean has(String name) {
                throw new IllegalStateException("the client's headers broke");
            }
        }));
        assertFalse(DecisionPath.isRelayHeader(null));
    }

    /** Headers as a client with case-insensitive names gives them. */
    private static DecisionPath.Headers headers(String... names) {
        final Set<String> lowerCase = new HashSet<String>();
        for (String name : Arrays.asList(names)) {
            lowerCase.add(name.toLowerCase(Locale.ROOT));
        }
        return new DecisionPath.Headers() {
            @Override
            public boolean has(String name) {
                return lowerCase.contains(name.toLowerCase(Locale.ROOT));
            }
        };
    }
}
