package io.quiesce.api.schema;

/**
 * Regular expressions the CRD schemas use. They are written for both engines that apply them: Go's
 * RE2 in the API server and the JDK's in tests, so they avoid anything the two read differently.
 */
public final class Patterns {
  /** A DNS-1123 subdomain (most Kubernetes object names); length is checked separately (253). */
  public static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** A DNS-1123 label (KubeVirt volume names); length is checked separately (63). */
  public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  /**
   * A Go duration as {@code time.ParseDuration} reads it (and so CEL's {@code duration()}), without
   * sign: {@code 5s}, {@code 1500ms}, {@code 1h30m}, {@code 1.5s}. At most six integer digits per
   * number and {@link #GO_DURATION_MAX_LENGTH} characters keep every accepted value below Go's
   * largest duration (about 2562047h), so whatever matches, {@code duration()} can parse. No
   * backslashes, so that it can also sit inside a CEL string literal.
   */
  public static final String GO_DURATION = "^([0-9]{1,6}([.][0-9]+)?(ns|us|ms|s|m|h))+$";

  /**
   * Longest duration string accepted (see {@link #GO_DURATION}); also bounds CEL's cost estimate.
   */
  public static final int GO_DURATION_MAX_LENGTH = 16;

  /**
   * CEL prefix for a rule on a duration string: a malformed value passes the rule (the schema's
   * pattern reports it), so that {@code duration()} never raises a second, less clear, error.
   */
  public static final String IF_WELL_FORMED_DURATION = "!self.matches('" + GO_DURATION + "') || ";

  /** A guest mountpoint: an absolute Linux path, or a Windows drive path such as {@code C:\}. */
  public static final String GUEST_MOUNTPOINT = "^(/|[A-Za-z]:\\\\)";

  /** A condition type: CamelCase, optionally prefixed with a DNS subdomain and '/'. */
  public static final String CONDITION_TYPE =
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";

  /** A condition reason: a CamelCase word, as metav1.Condition requires. */
  public static final String CONDITION_REASON = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$";

  private Patterns() {}
}
