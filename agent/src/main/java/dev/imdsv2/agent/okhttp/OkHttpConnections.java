package dev.imdsv2.agent.okhttp;

import java.lang.reflect.Method;

import okhttp3.Connection;

/**
 * OkHttp 3.13 and 3.14 pass the network hop an {@code okhttp3.internal.connection.Exchange}, a class the other
 * versions do not have; its {@code connection()} is reached by reflection, only for IMDS hops.
 */
public final class OkHttpConnections {
    private OkHttpConnections() {
    }

    public static Connection ofExchange(Object exchange) {
        try {
            Method connection = exchange.getClass().getMethod("connection");
            Object value = connection.invoke(exchange);
            return value instanceof Connection ? (Connection) value : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // treated as proxied: not upgraded
        }
    }
}
