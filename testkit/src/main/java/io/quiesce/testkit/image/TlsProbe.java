package io.quiesce.testkit.image;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Security;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Run on an image's Java runtime ({@code java -cp <test kit> ...TlsProbe <port> <truststore>}):
 * opens a TLS connection to 127.0.0.1:port the way fabric8's JDK HTTP client does (a default {@code
 * TLS} SSLContext, TLSv1.3 and TLSv1.2, the JDK's default cipher suites), verifying the server's
 * certificate against the truststore. Prints {@code protocol cipher-suite key-algorithm}; exit 0 on
 * success, 1 with the error otherwise.
 */
public final class TlsProbe {
  private TlsProbe() {}

  public static void main(String[] args) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
        trust.load(in, EcTlsServer.PASSWORD.toCharArray());
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      try (SSLSocket socket =
          (SSLSocket)
              context.getSocketFactory().createSocket("127.0.0.1", Integer.parseInt(args[0]))) {
        socket.setSoTimeout(10_000);
        socket.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        socket.startHandshake();
        SSLSession session = socket.getSession();
        String reply =
            new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        System.out.println(
            session.getProtocol()
                + " "
                + session.getCipherSuite()
                + " "
                + session.getPeerCertificates()[0].getPublicKey().getAlgorithm()
                + " "
                + reply
                + " SunEC="
                + (Security.getProvider("SunEC") != null));
      }
      System.exit(0);
    } catch (Exception e) {
      System.out.println("TLS failed: " + e);
      System.exit(1);
    }
  }
}
