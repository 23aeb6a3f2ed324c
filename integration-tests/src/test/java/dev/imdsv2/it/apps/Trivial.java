package dev.imdsv2.it.apps;

/** Does nothing but print one line: what the agent alone costs and prints. */
public final class Trivial {
    public static void main(String[] args) {
        System.out.println("RESULT done");
    }
}
