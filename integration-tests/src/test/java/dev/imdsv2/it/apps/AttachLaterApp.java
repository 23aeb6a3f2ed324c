package dev.imdsv2.it.apps;

import java.util.Collections;

/**
 * Makes an IMDSv1 GET through a client (so its classes are loaded), attaches the agent to itself at run
 * time, and makes the same GET again. On 9+ that needs {@code -Djdk.attach.allowAttachSelf=true}.
 * Arguments: agent jar, agent arguments, URL[, the client app's class name, default {@link OkHttpApp}].
 */
public final class AttachLaterApp {

    public static void main(String[] args) throws Exception {
        ClientApp client = args.length > 3 ? (ClientApp) Class.forName(args[3]).getDeclaredConstructor().newInstance()
                : new OkHttpApp();
        System.out.println("RESULT " + client.get(false, args[2], null, Collections.emptyList()));
        Jvm.loadAgentIntoThisJvm(args[0], args[1]);
        System.out.println("RESULT " + client.get(false, args[2], null, Collections.emptyList()));
        System.out.flush();
        System.exit(0);
    }
}
