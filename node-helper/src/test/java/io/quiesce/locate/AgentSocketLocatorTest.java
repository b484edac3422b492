package io.quiesce.locate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiesce.locate.AgentSocketLocator.Guest;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentSocketLocatorTest {
  private static final String UID = "8d1f3b3d-d488-4963-8f0d-fc7115fe5123";

  @TempDir Path tmp;

  private AgentSocketLocator locator(String... templates) {
    return new AgentSocketLocator(List.of(templates), List.of(tmp.resolve("roots")));
  }

  private String root() {
    return tmp.resolve("roots").toString();
  }

  @Test
  void fillsTemplatesInOrderAndSkipsThoseWithoutAValue() throws Exception {
    AgentSocketLocator l =
        locator(root() + "/pods/{podUID}/qga.sock", root() + "/{namespace}/{name}.sock");

    assertThat(l.candidates(new Guest("prod", "db-01", UID)))
        .containsExactly(
            Path.of(root(), "pods", UID, "qga.sock"), Path.of(root(), "prod", "db-01.sock"));
    assertThat(l.candidates(new Guest("prod", "db-01", null)))
        .containsExactly(Path.of(root(), "prod", "db-01.sock"));
  }

  @ParameterizedTest(name = "refuses namespace={0} name={1} podUID={2}")
  @CsvSource(
      nullValues = "null",
      value = {
        "..,db-01,null",
        "prod,../../etc/passwd,null",
        "prod,db/01,null",
        "prod,.hidden,null",
        "PROD,db-01,null",
        "prod,db-01,../x",
        "prod,db-01,8D1F3B3D-D488-4963-8F0D-FC7115FE5123",
        "'',db-01,null",
        "prod,'',null",
        "null,db-01,null",
      })
  void refusesValuesThatCouldEscape(String namespace, String name, String podUID) {
    AgentSocketLocator l = locator(root() + "/{namespace}/{name}/{podUID}.sock");

    assertThatThrownBy(() -> l.candidates(new Guest(namespace, name, podUID)))
        .isInstanceOf(UnsafePathException.class)
        .hasMessageContaining("refusing");
  }

  @Test
  void refusesTemplatesOutsideTheRootsAtStartUp() {
    assertThatThrownBy(() -> locator("/etc/{name}.sock"))
        .hasMessageContaining("not under an allowed root");
    assertThatThrownBy(() -> locator(root() + "/../{name}.sock"))
        .hasMessageContaining("not under an allowed root");
    assertThatThrownBy(() -> locator(root() + "/{vm}.sock"))
        .hasMessageContaining("unknown placeholder {vm}");
    assertThatThrownBy(() -> new AgentSocketLocator(List.of(), List.of(Path.of("relative"))))
        .hasMessageContaining("absolute");
    assertThatThrownBy(
            () ->
                new AgentSocketLocator(
                    List.of("/{podUID}/virtqemud-sock"),
                    List.of(Path.of("/")),
                    AgentSocketLocator.MAX_LINKED_SOCKET_PATH))
        .hasMessageContaining("file system root");
  }

  @Test
  void refusesPathsTooLongForASocket() {
    AgentSocketLocator l = locator(root() + "/{name}.sock");
    String longName = "a".repeat(120);

    assertThatThrownBy(() -> l.candidates(new Guest("prod", longName, null)))
        .hasMessageContaining("longer than 107");
  }

  @Test
  void locatesAnExistingSocket() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("roots/prod"));
    Path socket = dir.resolve("db-01.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      AgentSocketLocator l =
          locator(root() + "/{namespace}/missing-{name}.sock", root() + "/{namespace}/{name}.sock");

      assertThat(l.locate(new Guest("prod", "db-01", null))).contains(socket.toRealPath());
      assertThat(l.locate(new Guest("prod", "db-02", null))).isEmpty();
    }
  }

  @Test
  void refusesASymlinkThatLeadsOutOfTheRoots() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path target = outside.resolve("evil.sock");
    Files.createFile(target);
    Path dir = Files.createDirectories(tmp.resolve("roots/prod"));
    Files.createSymbolicLink(dir.resolve("db-01.sock"), target);
    AgentSocketLocator l = locator(root() + "/{namespace}/{name}.sock");

    assertThatThrownBy(() -> l.locate(new Guest("prod", "db-01", null)))
        .isInstanceOf(UnsafePathException.class)
        .hasMessageContaining("outside the allowed roots");
  }

  /**
   * kubelet's path to virtqemud's socket in a virt-launcher pod: 130 bytes, longer than a socket
   * address.
   */
  private static final String KUBELET_PODS = "/var/lib/kubelet/pods";

  private static final String LIBVIRT_TEMPLATE =
      KUBELET_PODS + "/{podUID}/volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock";

  @Test
  void libvirtSocketPathsLongerThanASocketAddressAreAcceptedWhereAClientLinksThem()
      throws Exception {
    AgentSocketLocator libvirt =
        new AgentSocketLocator(
            List.of(LIBVIRT_TEMPLATE),
            List.of(Path.of(KUBELET_PODS)),
            AgentSocketLocator.MAX_LINKED_SOCKET_PATH);
    AgentSocketLocator agent =
        new AgentSocketLocator(List.of(LIBVIRT_TEMPLATE), List.of(Path.of(KUBELET_PODS)));
    Guest guest = new Guest("prod", "db-01", UID);
    Path expected =
        Path.of(
            KUBELET_PODS,
            UID,
            "volumes",
            "kubernetes.io~empty-dir",
            "libvirt-runtime",
            "virtqemud-sock");

    assertThat(expected.toString().length()).isGreaterThan(AgentSocketLocator.MAX_SOCKET_PATH);
    assertThat(libvirt.candidates(guest)).containsExactly(expected);
    // the limit stays for sockets connected to directly
    assertThatThrownBy(() -> agent.candidates(guest)).hasMessageContaining("longer than 107");
  }

  @Test
  void libvirtTemplatesAreCheckedLikeAnyOther() {
    assertThatThrownBy(
            () ->
                new AgentSocketLocator(
                    List.of("/var/lib/kubelet/{podUID}/virtqemud-sock"),
                    List.of(Path.of(KUBELET_PODS)),
                    AgentSocketLocator.MAX_LINKED_SOCKET_PATH))
        .hasMessageContaining("not under an allowed root");
    assertThatThrownBy(
            () ->
                new AgentSocketLocator(
                    List.of(LIBVIRT_TEMPLATE), List.of(Path.of(KUBELET_PODS)), 0))
        .hasMessageContaining("maxPathBytes");
    AgentSocketLocator libvirt =
        new AgentSocketLocator(
            List.of(LIBVIRT_TEMPLATE),
            List.of(Path.of(KUBELET_PODS)),
            AgentSocketLocator.MAX_LINKED_SOCKET_PATH);
    assertThatThrownBy(() -> libvirt.candidates(new Guest("prod", "db-01", "../../../etc")))
        .isInstanceOf(UnsafePathException.class)
        .hasMessageContaining("podUID");
  }

  @Test
  void aLibvirtRuntimeDirectoryLinkedOutOfTheRootIsRefused() throws IOException {
    Path pods = Files.createDirectories(tmp.resolve("pods"));
    Path outside = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.createFile(outside.resolve("virtqemud-sock"));
    Path emptyDirs =
        Files.createDirectories(pods.resolve(UID).resolve("volumes/kubernetes.io~empty-dir"));
    Files.createSymbolicLink(emptyDirs.resolve("libvirt-runtime"), outside);
    AgentSocketLocator libvirt =
        new AgentSocketLocator(
            List.of(
                pods + "/{podUID}/volumes/kubernetes.io~empty-dir/libvirt-runtime/virtqemud-sock"),
            List.of(pods),
            AgentSocketLocator.MAX_LINKED_SOCKET_PATH);

    assertThatThrownBy(() -> libvirt.locate(new Guest("prod", "db-01", UID)))
        .isInstanceOf(UnsafePathException.class)
        .hasMessageContaining("outside the allowed roots");
  }

  private static final String OTHER_UID = "0b9e7c1a-5f35-4a7e-9d2c-3c4b5a6d7e8f";

  private ServerSocketChannel bind(Path socket) throws IOException {
    Files.createDirectories(socket.getParent());
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    return server;
  }

  @Test
  void aSymlinkToAnotherGuestsSocketUnderTheSameRootIsRefused() throws IOException {
    Path pods = tmp.resolve("roots/pods");
    try (ServerSocketChannel other = bind(pods.resolve(OTHER_UID).resolve("qga.sock"))) {
      Path mine = Files.createDirectories(pods.resolve(UID));
      Files.createSymbolicLink(
          mine.resolve("qga.sock"), pods.resolve(OTHER_UID).resolve("qga.sock"));
      AgentSocketLocator l = locator(root() + "/pods/{podUID}/qga.sock");

      assertThatThrownBy(() -> l.locate(new Guest("prod", "db-01", UID)))
          .isInstanceOf(UnsafePathException.class)
          .hasMessageContaining("outside the guest's own directory");
    }
  }

  @Test
  void aPodDirectoryThatIsALinkToAnotherPodsIsRefused() throws IOException {
    Path pods = tmp.resolve("roots/pods");
    try (ServerSocketChannel other = bind(pods.resolve(OTHER_UID).resolve("qga.sock"))) {
      Files.createSymbolicLink(pods.resolve(UID), pods.resolve(OTHER_UID));
      AgentSocketLocator l = locator(root() + "/pods/{podUID}/qga.sock");

      assertThatThrownBy(() -> l.locate(new Guest("prod", "db-01", UID)))
          .isInstanceOf(UnsafePathException.class)
          .hasMessageContaining("not the guest's own directory");
    }
  }

  @Test
  void aSymlinkThatStaysInTheGuestsOwnDirectoryIsFollowed()
      throws IOException, UnsafePathException {
    Path mine = tmp.resolve("roots/pods").resolve(UID);
    try (ServerSocketChannel agent = bind(mine.resolve("real/qga.sock"))) {
      Files.createSymbolicLink(mine.resolve("qga.sock"), mine.resolve("real/qga.sock"));
      AgentSocketLocator l = locator(root() + "/pods/{podUID}/qga.sock");

      assertThat(l.locate(new Guest("prod", "db-01", UID)))
          .contains(mine.resolve("real/qga.sock").toRealPath());
    }
  }

  @Test
  void aSocketSwappedForALinkAfterTheLookupIsRefusedWhenPinned()
      throws IOException, UnsafePathException {
    Path pods = tmp.resolve("roots/pods");
    Path mineSocket = pods.resolve(UID).resolve("qga.sock");
    try (ServerSocketChannel mine = bind(mineSocket);
        ServerSocketChannel other = bind(pods.resolve(OTHER_UID).resolve("qga.sock"))) {
      AgentSocketLocator l = locator(root() + "/pods/{podUID}/qga.sock");
      Path located = l.locate(new Guest("prod", "db-01", UID)).orElseThrow();
      l.pin(located).close();

      Files.delete(mineSocket);
      Files.createSymbolicLink(mineSocket, pods.resolve(OTHER_UID).resolve("qga.sock"));

      assertThatThrownBy(() -> l.pin(located))
          .isInstanceOf(UnsafePathException.class)
          .hasMessageContaining("not a socket any more (a link)");
    }
  }

  @Test
  void aDirectoryOnThePathSwappedForALinkAfterTheLookupIsRefusedWhenPinned()
      throws IOException, UnsafePathException {
    Path pods = tmp.resolve("roots/pods");
    Path mine = pods.resolve(UID);
    try (ServerSocketChannel own = bind(mine.resolve("channel/qga.sock"));
        ServerSocketChannel other = bind(pods.resolve(OTHER_UID).resolve("channel/qga.sock"))) {
      AgentSocketLocator l = locator(root() + "/pods/{podUID}/channel/qga.sock");
      Path located = l.locate(new Guest("prod", "db-01", UID)).orElseThrow();

      Files.move(mine.resolve("channel"), mine.resolve("moved"));
      Files.createSymbolicLink(mine.resolve("channel"), pods.resolve(OTHER_UID).resolve("channel"));

      assertThatThrownBy(() -> l.pin(located))
          .isInstanceOf(UnsafePathException.class)
          .hasMessageContaining(mine.resolve("channel") + " is a link");
    }
  }

  /**
   * The check-to-connect race, closed: the socket is swapped for a link to another guest's socket
   * after the helper's check, right before the connect. The connect goes to the socket checked.
   * Fails with a connect by path (it follows the link to the other socket).
   */
  @Test
  void aSocketSwappedAfterItWasPinnedStillConnectsToTheSocketChecked() throws Exception {
    Path pods = tmp.resolve("roots/pods");
    Path mineSocket = pods.resolve(UID).resolve("qga.sock");
    try (ServerSocketChannel mine = bind(mineSocket);
        ServerSocketChannel other = bind(pods.resolve(OTHER_UID).resolve("qga.sock"))) {
      AgentSocketLocator l = locator(root() + "/pods/{podUID}/qga.sock");
      Path located = l.locate(new Guest("prod", "db-01", UID)).orElseThrow();
      try (PinnedSocket pinned = l.pin(located)) {
        Files.move(mineSocket, mineSocket.resolveSibling("hidden.sock"));
        Files.createSymbolicLink(mineSocket, pods.resolve(OTHER_UID).resolve("qga.sock"));

        try (SocketChannel client =
            SocketChannel.open(UnixDomainSocketAddress.of(pinned.address()))) {
          other.configureBlocking(false);
          assertThat(other.accept()).as("the other guest's socket").isNull();
          try (SocketChannel accepted = mine.accept()) {
            client.write(ByteBuffer.wrap(new byte[] {42}));
            ByteBuffer got = ByteBuffer.allocate(1);
            accepted.read(got);
            assertThat(got.array()).containsExactly(42);
          }
        }
      }
    }
  }

  @Test
  void aPinnedPathOutsideTheRootsIsRefused() throws IOException {
    Path elsewhere = tmp.resolve("elsewhere/qga.sock");
    try (ServerSocketChannel s = bind(elsewhere)) {
      AgentSocketLocator l = locator(root() + "/pods/{podUID}/qga.sock");

      assertThatThrownBy(() -> l.pin(elsewhere))
          .isInstanceOf(UnsafePathException.class)
          .hasMessageContaining("outside the allowed roots");
    }
  }
}
