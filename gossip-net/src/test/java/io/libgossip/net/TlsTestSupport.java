package io.libgossip.net;

import io.libgossip.testkit.TestCerts;

/** TLS options made from {@link TestCerts}' files. */
final class TlsTestSupport {
  private TlsTestSupport() {}

  /** TLS options for {@code node}'s certificate, trusting {@code ca}. */
  static TlsOptions.Builder options(TestCerts ca, TestCerts.Node node) {
    return TlsOptions.builder().keyPem(node.chainPem(), node.keyPem()).trustPem(ca.caPem);
  }
}
