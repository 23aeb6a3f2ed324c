package dev.imdsv2.agent.jdk;

/** Rewrites one class, by exact name, as it loads or is retransformed. */
public interface ClassPatch {
    /** The class's internal name, e.g. {@code sun/net/www/protocol/http/HttpURLConnection}. */
    String internalName();

    /** The new class file, or null to leave the class as it is. May throw: the caller logs and leaves it. */
    byte[] patch(ClassLoader loader, Class<?> classBeingRedefined, byte[] classfile) throws Exception;
}
