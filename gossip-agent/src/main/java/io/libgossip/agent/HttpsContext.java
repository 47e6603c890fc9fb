package io.libgossip.agent;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/** The API's HTTPS settings as a Netty {@link SslContext}: TLS 1.3 and 1.2, the JDK's provider. */
final class HttpsContext {
  private HttpsContext() {}

  /**
   * The server context of {@code c}'s HTTPS files, or null for plain HTTP.
   *
   * @throws IllegalArgumentException when a file is not a usable PEM certificate chain, key or CA
   */
  static @Nullable SslContext of(AgentConfig c) {
    Path cert = c.httpTlsCert();
    Path key = c.httpTlsKey();
    if (cert == null || key == null) {
      return null;
    }
    try {
      SslContextBuilder b =
          SslContextBuilder.forServer(cert.toFile(), key.toFile())
              .sslProvider(SslProvider.JDK)
              .protocols("TLSv1.3", "TLSv1.2");
      Path ca = c.httpTlsCa();
      if (ca != null) {
        b.trustManager(ca.toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot use the HTTPS files (--http-tls-cert "
              + cert
              + ", --http-tls-key "
              + key
              + (c.httpTlsCa() != null ? ", --http-tls-ca " + c.httpTlsCa() : "")
              + "): "
              + rootMessage(e),
          e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
