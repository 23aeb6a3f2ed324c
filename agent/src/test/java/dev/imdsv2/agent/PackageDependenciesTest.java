package dev.imdsv2.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * The agent's packages depend on each other one way (docs/ARCHITECTURE.md): the clients on the decision path, the
 * decision path on the token and the report, those on the configuration and the log. Read from the compiled classes.
 */
class PackageDependenciesTest {
    private static final JavaClasses AGENT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.imdsv2.agent");

    /** Each package, the root one (premain, the runtime) included, is a slice of its own. */
    private static final SliceAssignment BY_PACKAGE = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            return SliceIdentifier.of(javaClass.getPackageName());
        }

        @Override
        public String getDescription() {
            return "every package of the agent";
        }
    };

    @Test
    void noPackageCycle() {
        slices().assignedFrom(BY_PACKAGE).should().beFreeOfCycles().check(AGENT);
    }

    @Test
    void onlyTheStartReachesTheRuntime() {
        noClasses().that().resideOutsideOfPackage("dev.imdsv2.agent")
                .should().dependOnClassesThat().resideInAPackage("dev.imdsv2.agent")
                .check(AGENT);
    }

    @Test
    void configurationAndLogDependOnNothingOfTheAgent() {
        noClasses().that().resideInAnyPackage("dev.imdsv2.agent.config", "dev.imdsv2.agent.log")
                .should().dependOnClassesThat().resideInAnyPackage("dev.imdsv2.agent", "dev.imdsv2.agent.policy",
                        "dev.imdsv2.agent.report", "dev.imdsv2.agent.token", "dev.imdsv2.agent.clients",
                        "dev.imdsv2.agent.jmx", "dev.imdsv2.agent.metrics", "dev.imdsv2.agent.cli")
                .check(AGENT);
    }
}
