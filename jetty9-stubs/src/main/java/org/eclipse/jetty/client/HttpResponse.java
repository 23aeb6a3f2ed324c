/*
 * Compile-time stub: the agent compiles its Jetty 9.4-11 advice against these few types of that package layout
 * (its real compile dependency is Jetty 12, which moved them), with exactly the signatures the advice calls.
 * Never in the agent jar (a provided dependency of it): the application brings the real ones.
 */
package org.eclipse.jetty.client;

public abstract class HttpResponse {
    public abstract int getStatus();
}
