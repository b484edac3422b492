package io.quiesce.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiesce.agent.AgentProtocolException;
import java.util.List;
import org.junit.jupiter.api.Test;

class XdrCodecTest {

  @Test
  void stringsArePaddedToFourBytesAndRoundTrip() {
    for (String s : List.of("", "a", "ab", "abc", "abcd", "abcde", "grüße")) {
      byte[] bytes = new XdrWriter().writeString(s, 64).writeInt(-7).toByteArray();
      assertThat(bytes.length % 4).isZero();
      XdrReader r = new XdrReader(bytes);
      assertThat(r.readString(64)).isEqualTo(s);
      assertThat(r.readInt()).isEqualTo(-7);
      r.requireEnd("test");
    }
  }

  @Test
  void integersAreBigEndian() {
    assertThat(new XdrWriter().writeInt(0x20008086).toByteArray())
        .containsExactly(0x20, 0x00, 0x80, 0x86);
    assertThat(
            new XdrReader(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE})
                .readUnsignedInt())
        .isEqualTo(0xFFFF_FFFEL);
  }

  @Test
  void optionalStringsAndArraysRoundTrip() {
    byte[] bytes =
        new XdrWriter()
            .writeOptionalString(null, 8)
            .writeOptionalString("qemu:///session", 64)
            .writeStringArray(List.of("/data", "/"), 4, 16)
            .writeFixedOpaque(new byte[16], 16)
            .toByteArray();
    XdrReader r = new XdrReader(bytes);
    assertThat(r.readOptionalString(8)).isNull();
    assertThat(r.readOptionalString(64)).isEqualTo("qemu:///session");
    assertThat(r.readArrayLength(4)).isEqualTo(2);
    assertThat(r.readString(16)).isEqualTo("/data");
    assertThat(r.readString(16)).isEqualTo("/");
    assertThat(r.readFixedOpaque(16)).hasSize(16);
    r.requireEnd("test");
  }

  @Test
  void aStringLengthAboveTheLimitIsRejectedBeforeAllocating() {
    byte[] huge = new XdrWriter().writeInt(-1).toByteArray(); // 4 GiB - 1
    assertThatThrownBy(() -> new XdrReader(huge).readString(RemoteProtocol.STRING_MAX))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("exceeds the limit");
    byte[] overLimit = new XdrWriter().writeString("abcdef", 64).toByteArray();
    assertThatThrownBy(() -> new XdrReader(overLimit).readString(5))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("exceeds the limit of 5");
  }

  @Test
  void truncatedInputIsAProtocolViolation() {
    byte[] full = new XdrWriter().writeString("abcdef", 64).toByteArray();
    byte[] cut = java.util.Arrays.copyOf(full, full.length - 3);
    assertThatThrownBy(() -> new XdrReader(cut).readString(64))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> new XdrReader(new byte[3]).readInt())
        .isInstanceOf(AgentProtocolException.class);
  }

  @Test
  void arrayCountsBooleansAndTrailingBytesAreChecked() {
    assertThatThrownBy(
            () -> new XdrReader(new XdrWriter().writeInt(21).toByteArray()).readArrayLength(20))
        .isInstanceOf(AgentProtocolException.class);
    assertThatThrownBy(() -> new XdrReader(new XdrWriter().writeInt(2).toByteArray()).readBool())
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("boolean");
    XdrReader r = new XdrReader(new XdrWriter().writeInt(1).writeInt(2).toByteArray());
    r.readInt();
    assertThatThrownBy(() -> r.requireEnd("reply"))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("trailing");
  }

  @Test
  void theWriterRefusesWhatTheProtocolCannotCarry() {
    assertThatThrownBy(() -> new XdrWriter().writeStringArray(List.of("a", "b", "c"), 2, 8))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new XdrWriter().writeString("toolong", 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new XdrWriter().writeFixedOpaque(new byte[3], 16))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anErrorReplyDecodesWithItsOptionalDomainAndNetwork() {
    XdrWriter w =
        new XdrWriter()
            .writeInt(86)
            .writeInt(10)
            .writeOptionalString(
                "Guest agent is not responding: QEMU guest agent is not connected", 4096)
            .writeInt(2)
            .writeBool(true);
    new DomainRef("default_vm", new byte[16], 3).encode(w);
    w.writeOptionalString("s1", 8)
        .writeOptionalString(null, 8)
        .writeOptionalString(null, 8)
        .writeInt(0)
        .writeInt(0)
        .writeBool(true)
        .writeString("net", 8)
        .writeFixedOpaque(new byte[16], 16);
    LibvirtError e = LibvirtError.decode(new XdrReader(w.toByteArray()));
    assertThat(e.code()).isEqualTo(86);
    assertThat(e.domain()).isEqualTo(10);
    assertThat(e.message()).endsWith("not connected");
  }

  @Test
  void aPacketHeaderRoundTripsAndAnUnknownStatusIsRejected() {
    PacketHeader h =
        PacketHeader.call(RemoteProtocol.REMOTE_PROGRAM, RemoteProtocol.PROC_DOMAIN_FSFREEZE, 9);
    XdrWriter w = new XdrWriter();
    h.encode(w);
    assertThat(PacketHeader.decode(new XdrReader(w.toByteArray()))).isEqualTo(h);
    XdrWriter bad =
        new XdrWriter().writeInt(1).writeInt(1).writeInt(1).writeInt(1).writeInt(1).writeInt(2);
    assertThatThrownBy(() -> PacketHeader.decode(new XdrReader(bad.toByteArray())))
        .isInstanceOf(AgentProtocolException.class)
        .hasMessageContaining("status 2");
  }
}
