package io.quiesce.testkit.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server in the test JVM with an elliptic-curve (P-256, ECDSA) certificate, as many API
 * servers have: a client can only finish the handshake when its runtime has the SunEC provider.
 * Answers {@code ok} to every connection. The key and a truststore with its certificate are made
 * with the JDK's keytool, once, under a cache directory.
 */
public final class EcTlsServer implements AutoCloseable {
  static final String PASSWORD = "changeit";
  private final SSLServerSocket socket;
  private final Thread acceptor;

  private EcTlsServer(SSLServerSocket socket) {
    this.socket = socket;
    this.acceptor = new Thread(this::serve, "ec-tls-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts on a free loopback port; key material under {@code cacheDir}. */
  public static EcTlsServer start(Path cacheDir) {
    try {
      Path keystore = keyStore(cacheDir);
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        ks.load(in, PASSWORD.toCharArray());
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, PASSWORD.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      SSLServerSocket server =
          (SSLServerSocket)
              context
                  .getServerSocketFactory()
                  .createServerSocket(0, 8, InetAddress.getLoopbackAddress());
      return new EcTlsServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The port served. */
  public int port() {
    return socket.getLocalPort();
  }

  /** A PKCS12 truststore holding only this server's certificate (password {@value #PASSWORD}). */
  public static Path trustStore(Path cacheDir) {
    keyStore(cacheDir);
    return cacheDir.resolve("ec-truststore.p12");
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (SSLSocket client = (SSLSocket) socket.accept()) {
        client.setSoTimeout(10_000);
        client.startHandshake();
        OutputStream out = client.getOutputStream();
        out.write("ok\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException e) {
        // a failed handshake is the client's to report; keep serving
      }
    }
  }

  private static synchronized Path keyStore(Path cacheDir) {
    Path keystore = cacheDir.resolve("ec-server.p12");
    Path truststore = cacheDir.resolve("ec-truststore.p12");
    if (Files.exists(truststore)) {
      return keystore;
    }
    try {
      Files.createDirectories(cacheDir);
      Path cert = cacheDir.resolve("ec-server.crt");
      Files.deleteIfExists(keystore);
      Files.deleteIfExists(cert);
      keytool(
          "-genkeypair",
          "-alias",
          "server",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-sigalg",
          "SHA256withECDSA",
          "-dname",
          "CN=localhost",
          "-ext",
          "SAN=ip:127.0.0.1,dns:localhost",
          "-validity",
          "3650",
          "-storetype",
          "PKCS12",
          "-keystore",
          keystore.toString(),
          "-storepass",
          PASSWORD,
          "-keypass",
          PASSWORD);
      keytool(
          "-exportcert",
          "-alias",
          "server",
          "-keystore",
          keystore.toString(),
          "-storepass",
          PASSWORD,
          "-file",
          cert.toString());
      Path staging = cacheDir.resolve("ec-truststore.p12.tmp");
      Files.deleteIfExists(staging);
      keytool(
          "-importcert",
          "-noprompt",
          "-alias",
          "server",
          "-file",
          cert.toString(),
          "-storetype",
          "PKCS12",
          "-keystore",
          staging.toString(),
          "-storepass",
          PASSWORD);
      Files.move(staging, truststore);
      return keystore;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void keytool(String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("keytool did not finish: " + command);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String output =
        new String(process.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + output);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
      acceptor.join(TimeUnit.SECONDS.toMillis(5));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
