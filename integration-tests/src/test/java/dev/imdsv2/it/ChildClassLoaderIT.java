package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.imdsv2.it.apps.ChildFirstLauncher;

/**
 * A client in a class loader of its own (a Spring Boot jar's, a web application's), which the system class loader,
 * where the agent is, cannot see into: its advice class is defined into that loader, and its IMDSv1 GET is upgraded.
 */
class ChildClassLoaderIT extends SimulatorTest {

    @ParameterizedTest
    @CsvSource({
        "okhttp-4, dev.imdsv2.it.apps.OkHttpApp, dev.imdsv2.agent.okhttp.OkHttpChainAdvice",
        "apache5-newest, dev.imdsv2.it.apps.ApacheHttpClient5App, dev.imdsv2.agent.apache5.ClassicExecAdvice",
    })
    void aClientInAChildLoaderIsUpgraded(String librarySet, String app, String advice) throws Exception {
        String testClasses = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.replace('\\', '/').endsWith("/test-classes")).findFirst().orElseThrow();
        List<String> childClassPath = new ArrayList<>();
        childClassPath.add(testClasses);
        try (Stream<Path> jars = Files.list(ChildJvm.clientLibs(librarySet))) {
            childClassPath.addAll(jars.map(Path::toString).filter(p -> p.endsWith(".jar")).sorted().collect(Collectors.toList()));
        }
        ChildJvm jvm = ChildJvm.withAgent(agentArgs()).classPath(testClasses).jvm("-Dadvice.classes=" + advice)
                .main(ChildFirstLauncher.class.getName(), String.join(File.pathSeparator, childClassPath), app,
                        "sync", url(INSTANCE_ID_PATH))
                .run();

        assertEquals(List.of("200 " + INSTANCE_ID), jvm.results("RESULT"), jvm.transcript());
        assertEquals(List.of(advice + " child"), jvm.results("ADVICE"), "the advice class is the child loader's own\n" + jvm.transcript());
        assertTrue(metadataRequestsTo(INSTANCE_ID_PATH).get(0).hasToken(), jvm.transcript());
        assertTrue(jvm.stderr().stream().noneMatch(l -> l.startsWith("WARNING") || l.contains("internal failure")),
                jvm.transcript());
    }
}
