package dev.imdsv2.agent.clients;

import java.util.List;

/** One third-party client: the classes it changes and the advice it puts there. */
public interface ClientInstrumentation {
    /** The client tag, e.g. {@code okhttp}: the {@code client} tag of the meters and the config name. */
    String client();

    /** The names ({@code a.b.C}) of every class this client's advice goes into. */
    List<String> targetClasses();

    /** Declares which methods of those classes get which advice class ({@link Hook}). */
    void advise(AdvicePlan plan);
}
