package io.libgossip.agent;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * An error the API answers with: an HTTP status and the body {@code {"code":…,"message":…}}. The
 * message is a sentence a person can act on; the code is one of the contract's snake_case codes.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient HttpResponseStatus status;
  private final String code;

  ApiException(HttpResponseStatus status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  HttpResponseStatus status() {
    return status;
  }

  String code() {
    return code;
  }

  static ApiException badRequest(String message) {
    return new ApiException(HttpResponseStatus.BAD_REQUEST, "bad_request", message);
  }

  static ApiException notFound(String message) {
    return new ApiException(HttpResponseStatus.NOT_FOUND, "not_found", message);
  }

  static ApiException conflict(String code, String message) {
    return new ApiException(HttpResponseStatus.CONFLICT, code, message);
  }

  static ApiException unavailable(String message) {
    return new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", message);
  }
}
