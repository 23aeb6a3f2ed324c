package dev.imdsv2.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A test whose subject does not change with the JDK the agent runs on (a third-party client's own classes, the
 * agent's log format): it runs in the Java 17 pass only (integration-tests/pom.xml), which keeps the five passes
 * within CI's time. What every class still runs on every JDK is its JDK-bound part: start-up, retransformation
 * after an attach, the JDK's own clients.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(JdkIndependent.TAG)
public @interface JdkIndependent {
    String TAG = "jdk-independent";
}
