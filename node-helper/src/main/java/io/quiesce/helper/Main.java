package io.quiesce.helper;

/** Entry point of the node helper jar. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("usage: java -jar node-helper.jar agent <ping|info|status|freeze|thaw|fsinfo> --socket PATH");
        System.exit(2);
    }
}
