package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.NodeAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.1:7000 | 10.0.0.1  | 7000",
        "host          | host      | 7946",
        "[::1]:9       | ::1       | 9",
        "[fe80::1]     | fe80::1   | 7946",
        "' n1:65535 '  | n1        | 65535",
      })
  void parsesHostAndPort(String text, String host, int port) {
    assertThat(HostPort.parse("--join", text, 7946, false)).isEqualTo(new NodeAddress(host, port));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a:b:c        | an IPv6 address goes in brackets, e.g. [::1]:7946",
        "::1          | an IPv6 address goes in brackets, e.g. [::1]:7946",
        "host:        | port '' is not a number",
        "host:x       | port 'x' is not a number",
        "host:-1      | port '-1' is not a number",
        "host:70000   | port 70000 is above 65535",
        ":7946        | no host",
        "[::1         | missing ']'",
        "[::1]7946    | expected ':' after ']'",
        "a b:1        | it contains a space",
        "host:0       | port 0 cannot be reached",
      })
  void rejectsABadAddressNamingFlagAndValue(String text, String why) {
    assertThatThrownBy(() -> HostPort.parse("--join", text, 7946, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--join: expected HOST:PORT, got '" + text + "' (" + why + ")");
  }

  @Test
  void aRequiredPortMustBeGivenAndPortZeroCanBeAllowed() {
    assertThatThrownBy(() -> HostPort.parse("--bind", "localhost", -1, true))
        .hasMessage("--bind: expected HOST:PORT, got 'localhost' (no port)");
    assertThat(HostPort.parse("--bind", "localhost:0", -1, true).port()).isZero();
    assertThat(HostPort.parse("--advertise", "example.org", 0, true).port()).isZero();
  }

  @Test
  void listSplitsOnCommasAndRejectsEmptyEntries() {
    assertThat(HostPort.list("--join", "a:1,b", 7946))
        .containsExactly(new NodeAddress("a", 1), new NodeAddress("b", 7946));
    for (String bad : new String[] {"a:1,", ",a:1", "a:1,,b:2", ",", "", " "}) {
      assertThatThrownBy(() -> HostPort.list("--join", bad, 7946))
          .as(bad)
          .hasMessage(
              "--join: expected HOST:PORT[,HOST:PORT...], got '"
                  + bad
                  + "' (an empty address: a stray comma?)");
    }
  }
}
