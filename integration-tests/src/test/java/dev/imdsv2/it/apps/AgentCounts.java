package dev.imdsv2.it.apps;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/** The {@code counts} command of the test apps: the agent's request counts, read from its MBean, as {@code COUNT key value} lines, and its 401s after an upgrade as {@code UNAUTHORIZED client value} lines. */
final class AgentCounts {
    private AgentCounts() {
    }

    /** The agent registers its MBean off the request path, shortly after the first IMDS request: wait for it. */
    static void print() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.imdsv2:type=Agent");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!server.isRegistered(name) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        TabularData counts = (TabularData) server.getAttribute(name, "RequestCounts");
        for (Object row : counts.values()) {
            CompositeData entry = (CompositeData) row;
            System.out.println("COUNT " + entry.get("key") + " " + entry.get("value"));
        }
        TabularData unauthorized = (TabularData) server.getAttribute(name, "UnauthorizedCounts");
        for (Object row : unauthorized.values()) {
            CompositeData entry = (CompositeData) row;
            System.out.println("UNAUTHORIZED " + entry.get("key") + " " + entry.get("value"));
        }
    }
}
