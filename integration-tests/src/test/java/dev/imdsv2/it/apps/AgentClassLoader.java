package dev.imdsv2.it.apps;

/** Prints which class loader defined the agent's classes in this JVM: "bootstrap", "system" or another loader. */
public final class AgentClassLoader {
    public static void main(String[] args) throws Exception {
        ClassLoader loader = Class.forName("dev.imdsv2.agent.AgentRuntime").getClassLoader();
        System.out.println("RESULT " + (loader == null ? "bootstrap" : loader == ClassLoader.getSystemClassLoader() ? "system" : loader));
    }
}
