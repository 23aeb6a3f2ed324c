package dev.imdsv2.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;

import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.VirtualMachine;

/** A JMX connection to a child JVM's agent MBean, through the attach API's local connector (loopback only). */
final class AgentJmx implements AutoCloseable {
    static final String OBJECT_NAME = "dev.imdsv2:type=Agent";

    private final JMXConnector connector;
    private final MBeanServerConnection connection;
    private final ObjectName name;

    private AgentJmx(JMXConnector connector) throws Exception {
        this.connector = connector;
        this.connection = connector.getMBeanServerConnection();
        this.name = new ObjectName(OBJECT_NAME);
    }

    /** Connects and waits (bounded) for the agent's MBean, which appears with the first IMDS request. */
    static AgentJmx connect(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        AgentJmx jmx = new AgentJmx(JMXConnectorFactory.connect(new JMXServiceURL(address)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!jmx.connection.isRegistered(jmx.name)) {
            if (System.nanoTime() > deadline) {
                jmx.close();
                fail("the agent MBean " + OBJECT_NAME + " did not appear");
            }
            Thread.sleep(50);
        }
        return jmx;
    }

    Object get(String attribute) throws Exception {
        return connection.getAttribute(name, attribute);
    }

    void set(String attribute, Object value) throws Exception {
        connection.setAttribute(name, new Attribute(attribute, value));
    }

    @Override
    public void close() throws Exception {
        connector.close();
    }
}
