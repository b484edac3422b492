package io.quiesce.naming;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Deterministic, length-budgeted names for the objects Quiesce creates, so that doing the same
 * thing twice (a restart, a failover, a repeated schedule fire) names the same object and the API
 * server's AlreadyExists stops the duplicate. Names fit in 63 characters, so they can also be label
 * values.
 *
 * <p>Names are injective: two different inputs never give the same name (up to a 48-bit hash). The
 * readable form joins the parts with {@code --}. It is used only when both parts are DNS labels
 * that sanitising leaves as they are and the second part has no {@code --} and is not a hash, so
 * the last {@code --} is where the second part starts (schedule {@code a-b} with VM {@code c} is
 * {@code a-b--c-<time>}, schedule {@code a} with VM {@code b-c} is {@code a--b-c-<time>}). Any
 * other input (a part sanitising changes, such as {@code db.1} or {@code DB-1}; a name over budget)
 * gets the hashed form, which ends in {@code --} and a hash of the exact inputs: what follows its
 * last {@code --} is a hash, which a readable name never ends in, so the two forms never meet.
 */
public final class ChildNames {
  /** Longest name produced; also the limit of a label value. */
  public static final int MAX_LENGTH = 63;

  private static final int HASH_LENGTH = 12;

  /** Between the parts of a name; never inside a part of a readable name. */
  static final String SEPARATOR = "--";

  private static final java.util.regex.Pattern HASH_SHAPE =
      java.util.regex.Pattern.compile("[0-9a-f]{" + HASH_LENGTH + "}");
  private static final java.util.regex.Pattern DNS_LABEL =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  // compiled once: labelValue runs for every snapshot in each schedule reconcile
  private static final java.util.regex.Pattern LABEL_VALUE =
      java.util.regex.Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final DateTimeFormatter FIRE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmm", Locale.ROOT).withZone(ZoneOffset.UTC);

  private ChildNames() {}

  /** The QuiescedSnapshot a schedule creates for one VM at one scheduled time (UTC minute). */
  public static String scheduledSnapshot(String schedule, String vm, Instant scheduledTime) {
    return join(FIRE_TIME.format(scheduledTime), schedule, vm);
  }

  /**
   * The QuiescedSnapshot a schedule with {@code grouping: ConsistencyGroup} creates for all the VMs
   * of one fire: {@code <schedule>--<time>} when the schedule is a DNS label and that fits. It
   * never meets a per-VM name: a readable per-VM name has a VM (a DNS label, ending in a letter or
   * digit) right before {@code -<time>}, this one a dash; a hashed one ends in a hash, this one in
   * the time. Otherwise the hashed form of the schedule and {@code /group}, which no VM name can
   * be.
   */
  public static String scheduledGroupSnapshot(String schedule, Instant scheduledTime) {
    String time = FIRE_TIME.format(scheduledTime);
    String readable = schedule + SEPARATOR + time;
    if (isLabel(schedule) && readable.length() <= MAX_LENGTH) {
      return readable;
    }
    return join(time, schedule, "/group");
  }

  /** The VolumeSnapshot of one volume of one QuiescedSnapshot. */
  public static String volumeSnapshot(String quiescedSnapshot, String volume) {
    return join(null, quiescedSnapshot, volume);
  }

  /**
   * The VolumeSnapshot of one volume of one VM of a consistency group: the VM is part of the name,
   * since two VMs of a group may have volumes of the same name. Always the hashed form ({@code /}
   * never stands in a VM or volume name, so the input is unambiguous).
   */
  public static String groupVolumeSnapshot(String quiescedSnapshot, String vm, String volume) {
    return join(null, quiescedSnapshot, vm + "/" + volume);
  }

  /**
   * The PVC a QuiescedSnapshotRestore creates for one volume (deterministic: a resumed restore
   * finds it).
   */
  public static String restoredClaim(String restore, String volume) {
    return join(null, restore, volume);
  }

  /**
   * The PVC a restore of a group snapshot creates for one volume of one member VM: the VM is part
   * of the name, since two members may have volumes of the same name. Always the hashed form, as
   * {@link #groupVolumeSnapshot}.
   */
  public static String restoredGroupClaim(String restore, String vm, String volume) {
    return join(null, restore, vm + "/" + volume);
  }

  /**
   * The new VM a restore of a group snapshot creates for one member: {@code <prefix>--<vm>} when
   * that is unambiguous and fits, else the hashed form.
   */
  public static String restoredGroupVm(String prefix, String vm) {
    return join(null, prefix, vm);
  }

  /**
   * A label value that identifies {@code name}: the name itself when it is a valid label value,
   * else a shortened, hashed form (the full name then belongs in an annotation).
   */
  public static String labelValue(String name) {
    if (name.length() <= MAX_LENGTH && LABEL_VALUE.matcher(name).matches()) {
      return name;
    }
    String base = sanitize(name);
    int room = MAX_LENGTH - HASH_LENGTH - 1;
    return trimDashes(base.substring(0, Math.min(room, base.length()))) + "-" + hash(name);
  }

  /** {@code first--second[-suffix]} when that is unambiguous and fits, else the hashed form. */
  private static String join(String suffix, String first, String second) {
    String tail = suffix == null ? "" : "-" + suffix;
    String readable = first + SEPARATOR + second + tail;
    if (isLabel(first) && isPlainSecond(second) && readable.length() <= MAX_LENGTH) {
      return readable;
    }
    // budget for the two parts: total minus the tail, the hash and two separators
    int room = MAX_LENGTH - tail.length() - HASH_LENGTH - 2 * SEPARATOR.length();
    String a = collapseDashes(sanitize(first));
    String b = collapseDashes(sanitize(second));
    int half = room / 2;
    int aLen = Math.min(a.length(), Math.max(half, room - b.length()));
    int bLen = Math.min(b.length(), room - aLen);
    return trimDashes(a.substring(0, aLen))
        + SEPARATOR
        + trimDashes(b.substring(0, bLen))
        + tail
        + SEPARATOR
        + hash(first + "\u0000" + second + "\u0000" + (suffix == null ? "" : suffix));
  }

  private static boolean isLabel(String part) {
    return part != null && DNS_LABEL.matcher(part).matches();
  }

  /**
   * A second part that can stand in a readable name: a DNS label, no {@code --}, not shaped like a
   * hash.
   */
  private static boolean isPlainSecond(String part) {
    return isLabel(part) && !part.contains(SEPARATOR) && !HASH_SHAPE.matcher(part).matches();
  }

  private static String collapseDashes(String s) {
    String collapsed = s.replaceAll("-{2,}", "-");
    return collapsed.isEmpty() ? "x" : collapsed;
  }

  /** Lower-case DNS-1123 label characters only (dots become dashes). */
  private static String sanitize(String s) {
    String lower = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    String trimmed = trimDashes(lower);
    return trimmed.isEmpty() ? "x" : trimmed;
  }

  private static String trimDashes(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && !Character.isLetterOrDigit(s.charAt(start))) {
      start++;
    }
    while (end > start && !Character.isLetterOrDigit(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static String hash(String s) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
