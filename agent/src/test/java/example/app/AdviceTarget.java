package example.app;

/** A class of some client library, for the test that weaves an advice into it. */
public class AdviceTarget {
    public String call() {
        return "the method's own answer";
    }
}
