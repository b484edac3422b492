package io.quiesce.journal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quiesce.api.v1alpha1.FreezeMethod;
import io.quiesce.freeze.GuestRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The helper's local record of the freezes it made, on the node's disk (a hostPath, so it outlives
 * the container and the pod): one small file per guest, written durably <em>before</em> the freeze
 * command is sent and removed once the thaw is confirmed. A restarted helper thaws exactly these
 * guests first, with no API server needed, through the route recorded here.
 *
 * <p>Writes are temp file + fsync + atomic rename + fsync of the directory, so a crash leaves the
 * old entry, the new one, or a stray temp file (removed at {@link #open}), never half an entry.
 * File names are a hash of {@code namespace/name}: nothing a user names reaches a path. Reading is
 * strict and bounded: at most {@link #MAX_ENTRY_BYTES} per file, no unknown fields, and an entry
 * must sit in the file its guest hashes to.
 */
public final class FreezeJournal {
  /** An entry is a few hundred bytes; anything larger is not ours. */
  public static final int MAX_ENTRY_BYTES = 4096;

  private static final Logger LOG = LoggerFactory.getLogger(FreezeJournal.class);
  private static final String SUFFIX = ".json";
  private static final String TEMP_SUFFIX = ".tmp";
  private static final int FORMAT = 1;

  /**
   * Kubernetes names: DNS labels (namespaces) and DNS subdomains (VMIs); nothing else is a guest.
   */
  private static final Pattern KUBE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private static final Pattern ENTRY_FILE = Pattern.compile("[0-9a-f]{40}\\.json");
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private final Path dir;

  private FreezeJournal(Path dir) {
    this.dir = dir;
  }

  /**
   * Opens (creating it, owner-only, when missing) the journal directory and removes temp files a
   * crash left behind.
   *
   * @throws UncheckedIOException when the directory cannot be made or is not a plain directory
   */
  public static FreezeJournal open(Path dir) {
    Path absolute = dir.toAbsolutePath().normalize();
    try {
      if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(absolute);
        trySetPermissions(absolute, "rwx------");
      }
      if (!Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("not a directory (or a symlink): " + absolute);
      }
      try (DirectoryStream<Path> temps = Files.newDirectoryStream(absolute, "*" + TEMP_SUFFIX)) {
        for (Path temp : temps) {
          Files.deleteIfExists(temp);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("freeze journal " + absolute + ": " + e.getMessage(), e);
    }
    return new FreezeJournal(absolute);
  }

  /** The journal directory. */
  public Path dir() {
    return dir;
  }

  /**
   * Where the entry of {@code guest} lives: a hash of its namespace and name, always directly in
   * {@link #dir}.
   */
  public Path fileOf(GuestRef guest) {
    return dir.resolve(nameOf(guest));
  }

  /**
   * Writes (or replaces) the guest's entry durably: when this returns, the entry survives a crash
   * of the process or the node.
   *
   * @throws UncheckedIOException when it could not be made durable (the caller must not freeze)
   */
  public void record(JournalEntry entry) {
    String name = nameOf(entry.guest());
    byte[] bytes = serialize(entry);
    Path temp = dir.resolve(name + TEMP_SUFFIX);
    Path target = dir.resolve(name);
    try {
      try (FileChannel out =
          FileChannel.open(
              temp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING,
              LinkOption.NOFOLLOW_LINKS)) {
        trySetPermissions(temp, "rw-------");
        out.write(ByteBuffer.wrap(bytes));
        out.force(true);
      }
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the journal directory does not support atomic renames", e);
      }
      syncDirectory();
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // the next open() removes it
      }
      throw new UncheckedIOException(
          "cannot write the freeze journal entry of " + entry.guest() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Removes the guest's entry (its thaw is confirmed, or the guest left this node). A failure is
   * logged, not thrown: the worst case is one extra status check at the next start-up.
   */
  public void remove(GuestRef guest) {
    try {
      if (Files.deleteIfExists(fileOf(guest))) {
        syncDirectory();
      }
    } catch (IOException e) {
      LOG.warn("cannot remove the freeze journal entry of {}: {}", guest, e.getMessage());
    }
  }

  /** The entry of {@code guest}, or null when there is none or it is unreadable. */
  public JournalEntry find(GuestRef guest) {
    Path file = fileOf(guest);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    try {
      return read(file);
    } catch (IOException | RuntimeException e) {
      LOG.warn("freeze journal entry {} unreadable: {}", file.getFileName(), e.getMessage());
      return null;
    }
  }

  /**
   * What {@link #load} read: the entries, and the files that are not valid entries (left in place).
   */
  public record Contents(List<JournalEntry> entries, List<String> unreadable) {
    public Contents {
      entries = List.copyOf(entries);
      unreadable = List.copyOf(unreadable);
    }
  }

  /**
   * Reads every entry; a file that is not a valid entry is reported and left for people to look at.
   */
  public Contents load() {
    List<JournalEntry> entries = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(TEMP_SUFFIX)) {
          continue;
        }
        try {
          if (!ENTRY_FILE.matcher(name).matches()) {
            throw new IOException("not a journal file name");
          }
          entries.add(read(file));
        } catch (IOException | RuntimeException e) {
          LOG.error(
              "freeze journal: {} is not a valid entry ({}); left in place, not acted on",
              name,
              e.getMessage());
          unreadable.add(name + ": " + e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot list the freeze journal " + dir + ": " + e.getMessage(), e);
    }
    return new Contents(entries, unreadable);
  }

  private JournalEntry read(Path file) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("not a regular file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(MAX_ENTRY_BYTES + 1);
    }
    if (bytes.length > MAX_ENTRY_BYTES) {
      throw new IOException("larger than " + MAX_ENTRY_BYTES + " bytes");
    }
    Stored stored = JSON.readValue(bytes, Stored.class);
    JournalEntry entry = stored.toEntry();
    if (!file.getFileName().toString().equals(nameOf(entry.guest()))) {
      throw new IOException("entry of " + entry.guest() + " in a file that is not its own");
    }
    return entry;
  }

  private static byte[] serialize(JournalEntry entry) {
    try {
      return JSON.writeValueAsBytes(Stored.of(entry));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void syncDirectory() throws IOException {
    // makes the rename (or the removal) itself durable
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    }
  }

  /** {@code sha1(namespace "/" name)} in hex, plus {@code .json}. */
  static String nameOf(GuestRef guest) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1")
              .digest((guest.namespace() + "/" + guest.name()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest) + SUFFIX;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }

  private static void trySetPermissions(Path path, String permissions) {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system: the hostPath's own permissions apply
    }
  }

  /** The file format (version 1). Every field is checked when read. */
  record Stored(
      int format,
      String namespace,
      String name,
      String method,
      String socket,
      String domain,
      String snapshot,
      String deadline,
      String domainUuid) {

    static Stored of(JournalEntry entry) {
      return new Stored(
          FORMAT,
          entry.guest().namespace(),
          entry.guest().name(),
          entry.method() == FreezeMethod.QGA ? "qga" : "libvirt",
          entry.socket().toString(),
          entry.domain(),
          entry.snapshot(),
          entry.deadline().toString(),
          entry.domainUuid() == null ? null : entry.domainUuid().toString());
    }

    JournalEntry toEntry() throws IOException {
      if (format != FORMAT) {
        throw new IOException("unknown format " + format);
      }
      requireName("namespace", namespace, 63);
      requireName("name", name, 253);
      FreezeMethod parsedMethod =
          switch (String.valueOf(method)) {
            case "qga" -> FreezeMethod.QGA;
            case "libvirt" -> FreezeMethod.LIBVIRT;
            default -> throw new IOException("unknown method " + method);
          };
      requireText("socket", socket, 1024);
      if (domain != null) {
        requireText("domain", domain, 512);
      }
      if (snapshot != null) {
        requireText("snapshot", snapshot, 320);
      }
      if (domainUuid != null) {
        requireText("domainUuid", domainUuid, 36);
      }
      requireText("deadline", deadline, 64);
      Path socketPath = Path.of(socket);
      if (!socketPath.isAbsolute() || !socketPath.normalize().equals(socketPath)) {
        throw new IOException("socket path must be absolute and normal: " + socket);
      }
      try {
        return new JournalEntry(
            new GuestRef(namespace, name),
            parsedMethod,
            socketPath,
            domain,
            snapshot,
            Instant.parse(deadline),
            domainUuid == null ? null : java.util.UUID.fromString(domainUuid));
      } catch (DateTimeParseException | IllegalArgumentException e) {
        throw new IOException(e.getMessage(), e);
      }
    }

    private static void requireName(String field, String value, int max) throws IOException {
      if (value == null || value.length() > max || !KUBE_NAME.matcher(value).matches()) {
        throw new IOException(field + " is not a Kubernetes name");
      }
    }

    private static void requireText(String field, String value, int max) throws IOException {
      if (value == null
          || value.isEmpty()
          || value.length() > max
          || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IOException(field + " missing, too long or with control characters");
      }
    }
  }
}
