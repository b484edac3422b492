package io.quiesce.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiesce.testkit.guest.GuestVm;
import io.quiesce.testkit.guest.RealGuest;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The protocol facts QgaClient relies on, checked on the real agent over a bare junixsocket socket
 * (no client code involved).
 */
@RealGuest
class RawAgentSocketSmokeTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LINE = 64 * 1024;

  @Test
  void agentAnswersTheStrayDelimiterTheDelimitedSyncAndAPing(GuestVm guest) throws IOException {
    long id = ThreadLocalRandom.current().nextLong(1, Integer.MAX_VALUE);
    try (AFUNIXSocket socket = AFUNIXSocket.newInstance()) {
      socket.connect(AFUNIXSocketAddress.of(guest.agentSocket()), 2000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(0xFF);
      out.write(
          ("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":"
                  + id
                  + "}}\n"
                  + "{\"execute\":\"guest-ping\"}\n")
              .getBytes(StandardCharsets.UTF_8));
      out.flush();

      InputStream in = socket.getInputStream();
      List<byte[]> beforeSync = new ArrayList<>();
      byte[] line;
      while ((line = readLine(in))[0] != (byte) 0xFF) {
        beforeSync.add(line);
        assertThat(beforeSync).as("lines before the delimited sync reply").hasSizeLessThan(10);
      }
      JsonNode parseError = JSON.readTree(beforeSync.get(beforeSync.size() - 1));
      assertThat(parseError.path("error").path("class").asText()).isEqualTo("GenericError");
      assertThat(parseError.path("error").path("desc").asText())
          .containsIgnoringCase("parse error");

      JsonNode syncReply = JSON.readTree(Arrays.copyOfRange(line, 1, line.length));
      assertThat(syncReply).isEqualTo(JSON.readTree("{\"return\": " + id + "}"));

      assertThat(JSON.readTree(readLine(in))).isEqualTo(JSON.readTree("{\"return\": {}}"));
    }
  }

  /** One {@code \n}-terminated line, bytes as sent (0xFF is not UTF-8), bounded. */
  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("agent closed the socket");
      }
      line.write(b);
      assertThat(line.size()).as("reply line length").isLessThan(MAX_LINE);
    }
    return line.toByteArray();
  }
}
