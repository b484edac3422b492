package io.quiesce.agent;

/**
 * The agent's {@code guest-get-osinfo}: every field is optional in the agent's schema, so each may
 * be null.
 *
 * @param id the OS id, e.g. {@code mswindows}, {@code fedora}, {@code debian}
 * @param prettyName e.g. {@code Microsoft Windows Server 2019}
 * @param kernelRelease e.g. {@code 17763} or {@code 6.1.0-18-cloud-amd64}
 */
public record GuestOsInfo(String id, String prettyName, String kernelRelease) {

  /** The id Windows agents report. */
  public static final String WINDOWS_ID = "mswindows";

  public boolean isWindows() {
    return WINDOWS_ID.equals(id);
  }
}
