package io.libgossip.memberlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class MsgpackTest {
  private static Object read(String hex) throws MemberlistDecodeException {
    byte[] b = HexFormat.of().parseHex(hex);
    Msgpack.Reader r = new Msgpack.Reader(b, 0, b.length);
    Object v = r.read();
    assertThat(r.remaining()).isZero();
    return v;
  }

  @Test
  void integersOfEveryWidthDecode() throws Exception {
    assertThat(read("7f")).isEqualTo(127L);
    assertThat(read("ff")).isEqualTo(-1L);
    assertThat(read("ccff")).isEqualTo(255L);
    assertThat(read("cdffff")).isEqualTo(65535L);
    assertThat(read("ceffffffff")).isEqualTo(0xffffffffL);
    assertThat(read("cf7fffffffffffffff")).isEqualTo(Long.MAX_VALUE);
    assertThat(read("d080")).isEqualTo(-128L);
    assertThat(read("d18000")).isEqualTo(-32768L);
    assertThat(read("d280000000")).isEqualTo((long) Integer.MIN_VALUE);
    assertThat(read("d38000000000000000")).isEqualTo(Long.MIN_VALUE);
    assertThatThrownBy(() -> read("cfffffffffffffffff"))
        .isInstanceOf(MemberlistDecodeException.class);
  }

  @Test
  void writtenIntegersUseTheSmallestForm() throws Exception {
    long[] values = {
      0,
      127,
      128,
      255,
      256,
      65535,
      65536,
      0xffffffffL,
      1L << 40,
      -1,
      -32,
      -33,
      -128,
      -129,
      -32768,
      -32769,
      Integer.MIN_VALUE - 1L,
      Long.MIN_VALUE
    };
    for (long v : values) {
      byte[] b = new Msgpack.Writer().integer(v).toByteArray();
      assertThat(new Msgpack.Reader(b, 0, b.length).read()).isEqualTo(v);
    }
    assertThat(new Msgpack.Writer().integer(255).toByteArray()).hasSize(2);
  }

  @Test
  void stringsAndBinsOfEveryFormDecodeToBytes() throws Exception {
    assertThat((byte[]) read("a161")).containsExactly('a');
    assertThat((byte[]) read("d90161")).containsExactly('a');
    assertThat((byte[]) read("da000161")).containsExactly('a');
    assertThat((byte[]) read("db0000000161")).containsExactly('a');
    assertThat((byte[]) read("c40161")).containsExactly('a');
    assertThat((byte[]) read("c5000161")).containsExactly('a');
    assertThat((byte[]) read("c600000001" + "61")).containsExactly('a');
    assertThat(read("c0")).isSameAs(Msgpack.NIL);
    assertThat(read("c3")).isEqualTo(true);
    assertThat(read("c2")).isEqualTo(false);
  }

  @Test
  void lengthsBeyondTheInputAreRejectedWithoutAllocating() {
    assertThatThrownBy(() -> read("dbffffffff")).isInstanceOf(MemberlistDecodeException.class);
    assertThatThrownBy(() -> read("ddffffffff")).isInstanceOf(MemberlistDecodeException.class);
    assertThatThrownBy(() -> read("dfffffffff")).isInstanceOf(MemberlistDecodeException.class);
    assertThatThrownBy(() -> read("91".repeat(40) + "c0"))
        .isInstanceOf(MemberlistDecodeException.class)
        .hasMessageContaining("nesting");
  }
}
