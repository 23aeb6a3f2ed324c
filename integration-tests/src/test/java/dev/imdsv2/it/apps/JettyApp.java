package dev.imdsv2.it.apps;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpProxy;
import org.eclipse.jetty.client.HttpResponseException;
import org.eclipse.jetty.client.ProxyConfiguration;
import org.eclipse.jetty.http.HttpField;

/**
 * Legacy-style IMDSv1 calls through Jetty's HttpClient (9.4, 10/11 or 12, whichever is on the class path): see
 * {@link ClientApp}. It compiles against 9.4; what Jetty 12 moved to other packages (the request type, the
 * async listener) is reached by reflection. Sync is {@code newRequest(url).send()}; async is
 * {@code send(FutureResponseListener)} up to 11 and {@code CompletableResponseListener.send()} on 12.
 */
public final class JettyApp extends ClientApp {
    private final HttpClient client = started(new HttpClient());
    private HttpClient proxiedClient;

    public static void main(String[] args) {
        new JettyApp().run(args);
    }

    @Override
    Class<?> libraryClass() {
        return HttpClient.class;
    }

    @Override
    String get(boolean async, String url, Integer proxyPort, List<String[]> headers) throws Exception {
        try {
            return send(async, url, proxyPort, headers);
        } catch (ExecutionException e) {
            // Jetty fails a 401 without WWW-Authenticate ("protocol violation"); the response is in the exception.
            if (e.getCause() instanceof HttpResponseException) {
                HttpResponseException rejected = (HttpResponseException) e.getCause();
                Object response = call(rejected, "getResponse", new Class<?>[0]);
                return call(response, "getStatus", new Class<?>[0]) + " " + rejected.getMessage();
            }
            throw e;
        }
    }

    private String send(boolean async, String url, Integer proxyPort, List<String[]> headers) throws Exception {
        HttpClient c = client;
        if (proxyPort != null) {
            if (proxiedClient == null) {
                HttpClient proxied = new HttpClient();
                ProxyConfiguration proxies = proxied.getProxyConfiguration();
                HttpProxy proxy = new HttpProxy("127.0.0.1", proxyPort);
                try { // 10 and later; 12 hands out only a copy of its list
                    proxies.getClass().getMethod("addProxy", ProxyConfiguration.Proxy.class).invoke(proxies, proxy);
                } catch (NoSuchMethodException jetty94) {
                    proxies.getProxies().add(proxy);
                }
                proxiedClient = started(proxied);
            }
            c = proxiedClient;
        }
        Object request = call(c, "newRequest", new Class<?>[] {String.class}, url);
        call(request, "timeout", new Class<?>[] {long.class, TimeUnit.class}, 10L, TimeUnit.SECONDS);
        for (String[] header : headers) {
            if (isJetty12(request)) {
                call(request, "addHeader", new Class<?>[] {HttpField.class}, new HttpField(header[0], header[1]));
            } else {
                call(request, "header", new Class<?>[] {String.class, String.class}, header[0], header[1]);
            }
        }
        Object response;
        if (!async) {
            response = call(request, "send", new Class<?>[0]);
        } else if (hasClass("org.eclipse.jetty.client.CompletableResponseListener")) { // 12.0.1 and later
            Object listener = Class.forName("org.eclipse.jetty.client.CompletableResponseListener")
                    .getConstructor(Class.forName("org.eclipse.jetty.client.Request")).newInstance(request);
            response = ((Future<?>) call(listener, "send", new Class<?>[0])).get(30, TimeUnit.SECONDS);
        } else { // 9.4 to 11 (client.util), 12.0.0 (client)
            boolean jetty12 = isJetty12(request);
            String client = "org.eclipse.jetty.client." + (jetty12 ? "" : "api.");
            Future<?> listener = (Future<?>) Class.forName("org.eclipse.jetty.client." + (jetty12 ? "" : "util.") + "FutureResponseListener")
                    .getConstructor(Class.forName(client + "Request")).newInstance(request);
            call(request, "send", new Class<?>[] {Class.forName(client + "Response$CompleteListener")}, listener);
            response = listener.get(30, TimeUnit.SECONDS);
        }
        return call(response, "getStatus", new Class<?>[0]) + " " + call(response, "getContentAsString", new Class<?>[0]);
    }

    private static boolean hasClass(String name) {
        try {
            Class.forName(name);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static boolean isJetty12(Object request) {
        return request.getClass().getName().startsWith("org.eclipse.jetty.client.transport.");
    }

    private static HttpClient started(HttpClient client) {
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return client;
    }

    /** Calls a public method of the object's public type or interfaces (Jetty's implementation classes may not be public). */
    private static Object call(Object target, String name, Class<?>[] types, Object... args) throws Exception {
        Method method = publicMethod(target.getClass(), name, types);
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    private static Method publicMethod(Class<?> type, String name, Class<?>[] types) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
                try {
                    return c.getMethod(name, types);
                } catch (NoSuchMethodException notHere) {
                    // try the interfaces and the superclass
                }
            }
            for (Class<?> i : c.getInterfaces()) {
                try {
                    return i.getMethod(name, types);
                } catch (NoSuchMethodException notHere) {
                    // next
                }
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name);
    }
}
