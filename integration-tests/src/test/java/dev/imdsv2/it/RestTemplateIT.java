package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.imdsv2.it.apps.RestTemplateApp;

/** Spring's RestTemplate is not instrumented itself: over Apache HttpClient 5 it is upgraded through that client. */
@ChildJavaAtLeast(value = 17, because = "Spring Framework 6")
class RestTemplateIT extends SimulatorTest {

    @Test
    void restTemplateOverApacheHttpClient5IsUpgradedThroughItsInstrumentation() throws Exception {
        ChildJvm with = ChildJvm.withAgent(agentArgs()).libraries("spring-web", "apache5-newest")
                .main(RestTemplateApp.class, url(INSTANCE_ID_PATH)).run();
        ChildJvm without = ChildJvm.withoutAgent().libraries("spring-web", "apache5-newest")
                .main(RestTemplateApp.class, url(INSTANCE_ID_PATH)).run();

        assertEquals(List.of("200 " + INSTANCE_ID), with.results("RESULT"), with.transcript());
        assertEquals(List.of("401"), without.results("RESULT"), without.transcript());
        assertTrue(metadataRequestsTo(INSTANCE_ID_PATH).get(0).hasToken());
        assertFalse(metadataRequestsTo(INSTANCE_ID_PATH).get(1).hasToken());
        assertTrue(with.stderr().stream().anyMatch(l -> l.contains("IMDSv1 call site dev.imdsv2.it.apps.RestTemplateApp.main")
                && l.contains("client=apache-httpclient-5")), "the call site is the application's code\n" + with.transcript());
    }
}
