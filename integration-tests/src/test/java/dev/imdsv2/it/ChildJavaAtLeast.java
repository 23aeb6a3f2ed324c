package dev.imdsv2.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A test (or class) whose subject needs a newer Java than the oldest the suite runs on (Java 8): it runs where the
 * JDK under test ({@link ChildJvm#javaHome()}) is at least {@link #value()}, and is skipped, saying why, below it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(ChildJavaAtLeast.Condition.class)
public @interface ChildJavaAtLeast {
    /** The oldest feature release the test can run on. */
    int value();

    /** What needs it, e.g. "java.net.http.HttpClient". */
    String because();

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getElement()
                    .flatMap(element -> AnnotationSupport.findAnnotation(element, ChildJavaAtLeast.class))
                    .map(needed -> {
                        int version = ChildJvm.javaFeatureVersion();
                        String why = needed.because() + " needs Java " + needed.value() + "+; the JDK under test is Java " + version;
                        return version >= needed.value() ? ConditionEvaluationResult.enabled(why)
                                : ConditionEvaluationResult.disabled(why);
                    })
                    .orElse(ConditionEvaluationResult.enabled("no Java version needed"));
        }
    }
}
