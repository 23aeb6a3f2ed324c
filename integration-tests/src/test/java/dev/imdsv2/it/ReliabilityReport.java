package dev.imdsv2.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** Where the reliability tests leave their figures: {@code target/reliability/<name>-java<N>.txt}, and on stdout. */
final class ReliabilityReport {
    private ReliabilityReport() {
    }

    static Path write(String name, List<String> lines) throws IOException {
        Path file = Paths.get("target/reliability/" + name + "-java" + javaVersionUnderTest() + ".txt");
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
        lines.forEach(System.out::println);
        return file;
    }

    /** The feature version of the JDK the agent runs on in this pass. */
    static String javaVersionUnderTest() {
        return Integer.toString(ChildJvm.javaFeatureVersion());
    }
}
