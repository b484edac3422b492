package io.quiesce.locate;

/** A socket path that was refused: malformed input or a path outside the allowed roots. */
public class UnsafePathException extends Exception {
  public UnsafePathException(String message) {
    super(message);
  }
}
