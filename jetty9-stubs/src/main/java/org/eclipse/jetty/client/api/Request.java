/*
 * Compile-time stub: the agent compiles its Jetty 9.4-11 advice against these few types of that package layout
 * (its real compile dependency is Jetty 12, which moved them), with exactly the signatures the advice calls.
 * Never in the agent jar (a provided dependency of it): the application brings the real ones.
 */
package org.eclipse.jetty.client.api;

import java.util.Map;

import org.eclipse.jetty.http.HttpFields;

public interface Request {
    String getScheme();

    String getHost();

    int getPort();

    String getMethod();

    String getPath();

    /** A class in 9.4, an interface from 10 on: the advice only iterates it, as an {@code Iterable}. */
    HttpFields getHeaders();

    /** Adds the header, or removes it when {@code value} is null (9.4, 10 and 11). */
    Request header(String name, String value);

    Request attribute(String name, Object value);

    Map<String, Object> getAttributes();

    boolean abort(Throwable cause);
}
