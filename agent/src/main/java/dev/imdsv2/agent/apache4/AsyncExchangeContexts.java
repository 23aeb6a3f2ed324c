package dev.imdsv2.agent.apache4;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.imdsv2.agent.log.AgentLog;

/**
 * Reads the {@code HttpClientContext} of an HttpAsyncClient 4.1 exchange handler: the private
 * {@code localContext} field of its base class {@code AbstractClientExchangeHandler}. JDK types only: it is in the
 * agent's class loader, called from advice in the client's.
 */
public final class AsyncExchangeContexts {
    private static final Map<Class<?>, Field> FIELDS = new ConcurrentHashMap<Class<?>, Field>();

    private AsyncExchangeContexts() {
    }

    /** The handler's context, or null when it has none that can be read. */
    public static Object of(Object handler) {
        try {
            Class<?> type = handler.getClass();
            Field field = FIELDS.get(type);
            if (field == null) {
                field = find(type);
                field.setAccessible(true);
                FIELDS.put(type, field);
            }
            return field.get(handler);
        } catch (Throwable t) {
            AgentLog.internalFailure(Apache4Instrumentation.CLIENT + " response", t);
            return null;
        }
    }

    private static Field find(Class<?> type) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if ("org.apache.http.impl.nio.client.AbstractClientExchangeHandler".equals(c.getName())) {
                return c.getDeclaredField("localContext");
            }
        }
        throw new NoSuchFieldException("localContext in " + type.getName());
    }
}
