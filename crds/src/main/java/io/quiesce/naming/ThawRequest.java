package io.quiesce.naming;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The emergency-thaw request path between {@code kubectl quiesce thaw} and the node helper, over
 * the Kubernetes API (the helper serves no API of its own). The requester sets {@link #REQUESTED}
 * on the VirtualMachineInstance to a new token; the node helper of the instance's node sees it,
 * thaws the guest through its own channel, records an {@code EmergencyThaw} Event on the instance
 * and answers with {@link #DONE} set to the same token and {@link #RESULT} saying what it found. A
 * token equal to the one already answered is no request: repeating one does nothing.
 */
public final class ThawRequest {
  /** Set by the requester: a new token (see {@link #isValidToken}) asks for one emergency thaw. */
  public static final String REQUESTED = Provenance.PREFIX + "thaw-requested";

  /** Set by the node helper: the last token it acted on. */
  public static final String DONE = Provenance.PREFIX + "thaw-done";

  /**
   * Set by the node helper with {@link #DONE}: {@code <Outcome>: <detail>}, Outcome one of {@link
   * Outcome}; at most {@link #MAX_RESULT} characters.
   */
  public static final String RESULT = Provenance.PREFIX + "thaw-result";

  /** The longest token the helper acts on. */
  public static final int MAX_TOKEN = 63;

  /** The longest result the helper writes. */
  public static final int MAX_RESULT = 256;

  /** Lower-case letters, digits and dashes, starting with a letter or digit, 8 to 63 long. */
  private static final Pattern TOKEN = Pattern.compile("[a-z0-9][a-z0-9-]{7,62}");

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What the helper found, first word of {@link #RESULT}. */
  public enum Outcome {
    /** The guest was frozen and is now confirmed thawed. */
    Thawed,
    /** The guest's agent said it was not frozen; nothing to thaw. */
    NotFrozen,
    /** The helper could not confirm the guest thawed (the detail says why). */
    Failed;

    /** True when the guest is known to be thawed afterwards. */
    public boolean thawed() {
      return this != Failed;
    }
  }

  private ThawRequest() {}

  /** A fresh token: the UTC time and 48 random bits, e.g. {@code 20261206-031500-9f3a0c1b2d4e}. */
  public static String newToken(Instant now) {
    byte[] random = new byte[6];
    RANDOM.nextBytes(random);
    return STAMP.format(now) + "-" + HexFormat.of().formatHex(random);
  }

  /** True for a token the helper acts on (bounded length and charset: it is echoed into Events). */
  public static boolean isValidToken(String token) {
    return token != null && TOKEN.matcher(token).matches();
  }

  /**
   * The request the annotations hold and no one answered yet: {@link #REQUESTED} set and different
   * from {@link #DONE}. The token may be invalid (check {@link #isValidToken}).
   */
  public static Optional<String> pending(Map<String, String> annotations) {
    if (annotations == null) {
      return Optional.empty();
    }
    String requested = annotations.get(REQUESTED);
    if (requested == null || requested.equals(annotations.get(DONE))) {
      return Optional.empty();
    }
    return Optional.of(requested);
  }

  /** {@code <outcome>: <detail>}, cut to {@link #MAX_RESULT}. */
  public static String result(Outcome outcome, String detail) {
    String text = outcome.name() + ": " + detail.replaceAll("\\s+", " ").strip();
    return text.length() <= MAX_RESULT ? text : text.substring(0, MAX_RESULT - 3) + "...";
  }

  /** The outcome at the start of a {@link #RESULT}; {@link Outcome#Failed} when it names none. */
  public static Outcome outcomeOf(String result) {
    if (result != null) {
      for (Outcome outcome : Outcome.values()) {
        if (result.startsWith(outcome.name() + ":")) {
          return outcome;
        }
      }
    }
    return Outcome.Failed;
  }
}
