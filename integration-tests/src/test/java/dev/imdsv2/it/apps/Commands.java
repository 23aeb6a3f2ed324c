package dev.imdsv2.it.apps;

import java.util.ArrayList;
import java.util.List;

/** The test apps' command line: commands separated by {@code --}, run one after the other. */
final class Commands {
    interface Command {
        void run(List<String> words) throws Exception;
    }

    private Commands() {
    }

    static void runEach(String[] args, Command command) throws Exception {
        List<String> words = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--")) {
                command.run(words);
                words.clear();
            } else {
                words.add(arg);
            }
        }
        command.run(words);
        System.out.flush();
    }
}
