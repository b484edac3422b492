package io.quiesce.operator;

/** Entry point of the operator jar. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("usage: java -jar operator.jar");
        System.exit(2);
    }
}
