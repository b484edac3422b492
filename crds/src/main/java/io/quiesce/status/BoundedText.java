package io.quiesce.status;

/**
 * Makes text that someone else controls (a guest agent's error, a libvirt or storage error, an API
 * server's reply) safe to store: control characters and bidirectional overrides are dropped (line
 * breaks and tabs become spaces) and the text is cut to a bound with a visible marker.
 *
 * <p>Bounds count Unicode code points, as the API server counts a schema's {@code maxLength}, and a
 * cut never splits a surrogate pair. Every call is idempotent: bounding bounded text changes
 * nothing.
 */
public final class BoundedText {

  /**
   * The longest error text kept from a guest, libvirt or the storage ({@code status.freeze.error}
   * etc.).
   */
  public static final int MAX_ERROR = 1024;

  /** The longest human-readable message kept in a status or a condition. */
  public static final int MAX_MESSAGE = 2048;

  /** Appended where text was cut, so a reader knows it was. */
  static final String CUT_MARKER = "…[truncated]";

  private BoundedText() {}

  /** {@code text} stripped and cut to {@link #MAX_ERROR} code points; null stays null. */
  public static String error(String text) {
    return bound(text, MAX_ERROR);
  }

  /** {@code text} stripped and cut to {@link #MAX_MESSAGE} code points; null stays null. */
  public static String message(String text) {
    return bound(text, MAX_MESSAGE);
  }

  /**
   * {@code text} with control characters removed and at most {@code maxCodePoints} code points long
   * (the cut marker included); null stays null.
   */
  public static String bound(String text, int maxCodePoints) {
    if (text == null) {
      return null;
    }
    if (maxCodePoints <= CUT_MARKER.length()) {
      throw new IllegalArgumentException("bound must leave room for the cut marker");
    }
    if (isClean(text, maxCodePoints)) {
      return text; // the common case (every status message set, decoded or decided): no copy
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), maxCodePoints + 1));
    int kept = 0;
    int cutAt = -1; // the builder's length when it held the code points that fit before the marker
    for (int i = 0; i < text.length() && kept <= maxCodePoints; ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      int clean = clean(cp);
      if (clean < 0) {
        continue;
      }
      if (kept == maxCodePoints - CUT_MARKER.length()) {
        cutAt = out.length();
      }
      out.appendCodePoint(clean);
      kept++;
    }
    if (kept <= maxCodePoints) {
      return out.toString();
    }
    out.setLength(cutAt);
    return out.append(CUT_MARKER).toString();
  }

  /**
   * True when {@code text} would come back unchanged: no more than {@code maxCodePoints} chars (so
   * no more code points) and none that {@link #clean} drops or replaces. Checked per char: a
   * surrogate, paired or not, takes the slow path.
   */
  private static boolean isClean(String text, int maxCodePoints) {
    if (text.length() > maxCodePoints) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c >= 0x7F && (c <= 0x9F || c >= 0x061C)) {
        return false;
      }
    }
    return true;
  }

  /** The code point to keep for {@code cp}, or -1 to drop it. */
  private static int clean(int cp) {
    if (cp == '\n' || cp == '\r' || cp == '\t') {
      return ' ';
    }
    if (Character.isISOControl(cp) || isBidiControl(cp)) {
      return -1;
    }
    if (Character.getType(cp) == Character.SURROGATE) {
      return -1; // a lone surrogate: not encodable as UTF-8
    }
    return cp;
  }

  /** Bidirectional embeddings, overrides and isolates, which can make a log or a terminal lie. */
  private static boolean isBidiControl(int cp) {
    return cp >= 0x202A && cp <= 0x202E
        || cp >= 0x2066 && cp <= 0x2069
        || cp == 0x200E
        || cp == 0x200F
        || cp == 0x061C;
  }
}
