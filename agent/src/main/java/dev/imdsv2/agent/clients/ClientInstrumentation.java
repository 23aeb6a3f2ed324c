package dev.imdsv2.agent.clients;

import java.util.List;

import net.bytebuddy.agent.builder.AgentBuilder;

/** One third-party client: the classes it changes and the advice it puts there. */
public interface ClientInstrumentation {
    /** The client tag, e.g. {@code okhttp}: the {@code client} tag of the meters and the config name. */
    String client();

    /** The names ({@code a.b.C}) of every class this client's advice goes into. */
    List<String> targetClasses();

    /** Adds this client's type matchers and advice to the agent builder. */
    AgentBuilder extend(AgentBuilder builder, AgentBuilder.Transformer.ForAdvice advice);
}
