package dev.imdsv2.it.apps;

import java.util.TreeSet;
import java.util.stream.Collectors;

/** Does nothing but print one line, and the names of the threads alive at the end: what the agent alone costs and starts. */
public final class Trivial {
    public static void main(String[] args) {
        System.out.println("RESULT done");
        for (String name : new TreeSet<>(Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(Collectors.toList()))) {
            System.out.println("THREAD " + name);
        }
    }
}
