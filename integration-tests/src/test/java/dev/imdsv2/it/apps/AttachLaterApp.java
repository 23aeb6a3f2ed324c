package dev.imdsv2.it.apps;

import java.util.List;

import com.sun.tools.attach.VirtualMachine;

/**
 * Makes an IMDSv1 GET through a client app (OkHttp unless named), so the client's classes are loaded, attaches the
 * agent to itself at run time, and makes the same GET again. Needs {@code -Djdk.attach.allowAttachSelf=true}.
 * Arguments: agent jar, agent arguments, URL[, the {@link ClientApp} class].
 */
public final class AttachLaterApp {

    public static void main(String[] args) throws Exception {
        ClientApp client = args.length > 3
                ? (ClientApp) Class.forName(args[3]).getDeclaredConstructor().newInstance() : new OkHttpApp();
        System.out.println("RESULT " + client.get(false, args[2], null, List.of()));
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(ProcessHandle.current().pid()));
        try {
            vm.loadAgent(args[0], args[1]);
        } finally {
            vm.detach();
        }
        System.out.println("RESULT " + client.get(false, args[2], null, List.of()));
        System.out.flush();
        System.exit(0);
    }
}
