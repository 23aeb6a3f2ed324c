package example.app;

import java.io.IOException;

/** A class of some client library, with a method for each thing that advice may do to it. */
public class WovenTarget {
    private final String prefix = "dear ";

    public String greet(String name) {
        return "hello " + name;
    }

    public boolean isEven(int n) {
        return n % 2 == 0;
    }

    public static long twice(long x, String unit) {
        return 2 * x;
    }

    /** Its first instruction is a jump target, so the method's own first stack map frame is at offset 0. */
    public int countDown(int n) {
        do {
            n--;
        } while (n > 0);
        return n;
    }

    public String fail(String message) throws IOException {
        if (message.isEmpty()) {
            return "nothing to fail with";
        }
        throw new IOException(message);
    }

    public String send(String what) throws IOException {
        return "sent " + what;
    }
}
