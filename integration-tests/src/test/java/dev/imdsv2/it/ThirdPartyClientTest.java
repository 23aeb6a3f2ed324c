package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import dev.imdsv2.it.apps.AttachLaterApp;
import dev.imdsv2.simulator.ReceivedRequest;
import dev.imdsv2.simulator.RecordingServer;

/**
 * The checks every third-party client gets, at each tested version, sync and async: grouped into one child
 * JVM with the agent (every rule of README.md's "What it does to a request") and one without it.
 */
abstract class ThirdPartyClientTest extends SimulatorTest {
    static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
    static final List<String> SYNC_AND_ASYNC = List.of("sync", "async");

    RecordingServer other;
    RecordingServer proxy;

    @BeforeEach
    void startOtherServers() {
        other = RecordingServer.start();
        proxy = RecordingServer.startForwardProxy();
    }

    @AfterEach
    void stopOtherServers() {
        other.close();
        proxy.close();
    }

    /** The port the app is told to use as its HTTP proxy: the recording forward proxy, unless a client needs a front to it. */
    int proxyPort() throws IOException {
        return proxy.port();
    }

    /**
     * Per mode: a tokenless GET (upgraded), a GET to another host, a redirect out of IMDS and one into it, a
     * GET with X-Forwarded-For and one through the client's own proxy setting. One token PUT for all of them.
     */
    void upgradesOnlyWhatMayBeUpgraded(Class<?> app, String librarySet, List<String> modes) throws Exception {
        List<String> args = new ArrayList<>();
        for (String m : modes) {
            imds.redirect("/latest/meta-data/moved-" + m, other.baseUrl() + "/landing-" + m, 302);
            other.redirect("/jump-" + m, url("/latest/meta-data/jumped-" + m), 302);
            args.addAll(List.of(m, url(INSTANCE_ID_PATH), "--"));
            args.addAll(List.of(m, other.baseUrl() + "/api-" + m, "--"));
            args.addAll(List.of(m, url("/latest/meta-data/moved-" + m), "--"));
            args.addAll(List.of(m, other.baseUrl() + "/jump-" + m, "--"));
            args.addAll(List.of(m, url("/latest/meta-data/forwarded-" + m), "X-Forwarded-For=203.0.113.9", "--"));
            args.addAll(List.of(m, url("/latest/meta-data/proxied-" + m), "proxy=" + proxyPort(), "--"));
        }
        // A cold simulator in a busy test JVM can take over a second for its first PUT: not what is tested here.
        ChildJvm jvm = ChildJvm.withAgent(agentArgs("token.timeout=5000")).libraries(librarySet)
                .main(app, args.toArray(new String[0])).run();
        assertLibraryFrom(jvm, librarySet);

        List<String> results = jvm.results("RESULT");
        assertEquals(6 * modes.size(), results.size(), jvm.transcript());
        for (int i = 0; i < modes.size(); i++) {
            String m = modes.get(i);
            List<String> r = results.subList(6 * i, 6 * i + 6);
            String context = m + "\n" + jvm.transcript();
            assertEquals("200 " + INSTANCE_ID, r.get(0), "a tokenless GET is upgraded, " + context);
            assertEquals("200 ok", r.get(1), context);
            assertEquals("200 ok", r.get(2), "the redirect out of IMDS is followed, " + context);
            assertTrue(r.get(3).startsWith("401"), "a redirect into IMDS gets no token, " + context);
            assertTrue(r.get(4).startsWith("401"), "X-Forwarded-For is never upgraded, " + context);
            assertTrue(r.get(5).startsWith("401"), "a proxied request is never upgraded, " + context);

            assertTrue(metadataRequestsTo(INSTANCE_ID_PATH).get(i).hasToken(), context);
            assertNull(onlyRequest(other.received(), "/api-" + m).header(TOKEN_HEADER), "no token to another host, " + context);
            assertTrue(metadataRequestsTo("/latest/meta-data/moved-" + m).get(0).hasToken(), "the IMDS hop was upgraded, " + context);
            assertNull(onlyRequest(other.received(), "/landing-" + m).header(TOKEN_HEADER), "the token did not follow the redirect, " + context);
            assertFalse(metadataRequestsTo("/latest/meta-data/jumped-" + m).get(0).hasToken(), context);
            assertFalse(metadataRequestsTo("/latest/meta-data/forwarded-" + m).get(0).hasToken(), context);
            ReceivedRequest proxied = onlyRequest(proxy.received(), "/latest/meta-data/proxied-" + m);
            assertNull(proxied.header(TOKEN_HEADER), "no token through a proxy, " + context);
            assertFalse(metadataRequestsTo("/latest/meta-data/proxied-" + m).get(0).hasToken(), context);
        }
        assertEquals(1, imds.tokenPutCount(), "one token for every request of the JVM");
        assertTrue(imds.issuedTokens().stream().noneMatch(t -> String.join("\n", jvm.stderr()).contains(t)), "no token in the logs");
        // The client was woven in this JVM: no JVM warning (Unsafe, dynamic agents) and no failure of the agent's own.
        assertTrue(jvm.stderr().stream().noneMatch(l -> l.startsWith("WARNING") || l.contains("internal failure")),
                jvm.transcript());
    }

    /** Without the agent the same tokenless GETs get 401: what the agent fixes is real. */
    void tokenlessGetsFailWithoutTheAgent(Class<?> app, String librarySet, List<String> modes) throws Exception {
        List<String> args = new ArrayList<>();
        for (String m : modes) {
            args.addAll(List.of(m, url(INSTANCE_ID_PATH), "--"));
        }
        ChildJvm jvm = ChildJvm.withoutAgent().libraries(librarySet).main(app, args.toArray(new String[0])).run();
        assertLibraryFrom(jvm, librarySet);

        List<String> results = jvm.results("RESULT");
        assertEquals(modes.size(), results.size(), jvm.transcript());
        assertTrue(results.stream().allMatch(r -> r.startsWith("401")), jvm.transcript());
        assertEquals(0, imds.tokenPutCount());
        assertTrue(imds.metadataRequests().stream().noneMatch(ReceivedRequest::hasToken));
    }

    /** The first of these library sets, newest first, whose classes the JDK under test can load. */
    static String newestThatRuns(String... setsNewestFirst) {
        for (String set : setsNewestFirst) {
            if (ChildJvm.oldestJavaFor(set) <= ChildJvm.javaFeatureVersion()) {
                return set;
            }
        }
        return setsNewestFirst[setsNewestFirst.length - 1];
    }

    /**
     * A JVM that made a tokenless GET through the client before the agent came (so the client's classes are
     * loaded, and the GET got 401) attaches the agent to itself: the same GET is upgraded now.
     */
    void retransformsClassesLoadedBeforeTheAttach(Class<?> app, String librarySet) throws Exception {
        ChildJvm jvm = ChildJvm.withoutAgent().libraries(librarySet).jvm("-Djdk.attach.allowAttachSelf=true")
                .main(AttachLaterApp.class, ChildJvm.agentJar().toString(), agentArgs("token.timeout=5000"),
                        url(INSTANCE_ID_PATH), app.getName())
                .run();

        List<String> results = jvm.results("RESULT");
        assertEquals(2, results.size(), jvm.transcript());
        assertTrue(results.get(0).startsWith("401"), "before the attach: IMDSv1, refused\n" + jvm.transcript());
        assertEquals("200 " + INSTANCE_ID, results.get(1), "after the attach: upgraded\n" + jvm.transcript());
        List<ReceivedRequest> gets = metadataRequestsTo(INSTANCE_ID_PATH);
        assertFalse(gets.get(0).hasToken());
        assertTrue(gets.get(1).hasToken());
    }

    /**
     * With the socket catch-all on (the default), a request of this client is counted once, under the client's
     * own tag: the catch-all leaves the connection to the client's instrumentation, whatever thread connects.
     */
    void countedOnceUnderItsClient(Class<?> app, String librarySet, String client, List<String> modes) throws Exception {
        List<String> args = new ArrayList<>();
        for (String m : modes) {
            args.addAll(List.of(m, url(INSTANCE_ID_PATH), "--"));
        }
        args.add("counts");
        ChildJvm jvm = ChildJvm.withAgent(agentArgs("token.timeout=5000")).libraries(librarySet)
                .main(app, args.toArray(new String[0])).run();

        assertEquals(Collections.nCopies(modes.size(), "200 " + INSTANCE_ID), jvm.results("RESULT"), jvm.transcript());
        assertTrue(jvm.stderr().get(0).contains(client) && jvm.stderr().get(0).contains(",socket"), jvm.transcript());
        assertEquals(List.of("client=" + client + ",version=v1,action=upgraded,category=other-meta-data " + modes.size()),
                jvm.results("COUNT"), jvm.transcript());
        assertTrue(metadataRequestsTo(INSTANCE_ID_PATH).stream().allMatch(ReceivedRequest::hasToken), jvm.transcript());
    }

    /** The app names the client jar it loaded: it must be the one of the library set under test. */
    static void assertLibraryFrom(ChildJvm jvm, String librarySet) {
        List<String> library = jvm.results("LIBRARY");
        assertEquals(1, library.size(), jvm.transcript());
        assertTrue(Files.isRegularFile(ChildJvm.clientLibs(librarySet).resolve(library.get(0))),
                "ran with " + library + ", not a jar of " + librarySet);
    }

    static ReceivedRequest onlyRequest(List<ReceivedRequest> received, String path) {
        List<ReceivedRequest> matching = received.stream().filter(r -> r.path().equals(path)).toList();
        assertEquals(1, matching.size(), path + " in " + received);
        return matching.get(0);
    }
}
