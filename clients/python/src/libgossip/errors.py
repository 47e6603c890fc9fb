"""Exceptions raised by the client.

Every error the agent answers (an HTTP status with a ``{"code": ..., "message": ...}`` body) is
raised as a :class:`GossipError` subclass chosen by its code (or, failing that, by its HTTP
status). A connection that cannot be made or breaks is raised as :class:`AgentUnreachable`, also a
:class:`GossipError`, so ``except GossipError`` catches everything the client raises on purpose.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

__all__ = [
    "GossipError",
    "AgentUnreachable",
    "BadRequest",
    "Unauthorized",
    "NotFound",
    "MethodNotAllowed",
    "Conflict",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "NotReady",
    "Unavailable",
    "GossipTimeout",
    "SendFailed",
    "JoinFailed",
    "InternalError",
    "ProtocolError",
    "error_from_response",
]


class GossipError(Exception):
    """An error answered by the agent, or raised by the client about the agent.

    Attributes:
        code: the API's snake_case error code (``"not_found"``, ``"bad_request"``, ...).
        message: the agent's sentence about what went wrong.
        status: the HTTP status, or ``None`` when no HTTP answer was received.
    """

    default_code = "error"

    def __init__(self, message: str, code: Optional[str] = None, status: Optional[int] = None):
        super().__init__(message)
        self.code: str = code or self.default_code
        self.message: str = message
        self.status: Optional[int] = status

    def __str__(self) -> str:
        where = f"HTTP {self.status} " if self.status is not None else ""
        return f"{where}{self.code}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, code={self.code!r}, "
            f"status={self.status!r})"
        )


class AgentUnreachable(GossipError):
    """The agent could not be reached: connection refused, reset, timed out or closed early."""

    default_code = "unreachable"


class BadRequest(GossipError):
    """400 ``bad_request``: the request was malformed or broke a limit."""

    default_code = "bad_request"


class Unauthorized(GossipError):
    """401 ``unauthorized``: a token is required, or the given one is wrong."""

    default_code = "unauthorized"


class NotFound(GossipError):
    """404 ``not_found``: unknown path, member, metadata key or query."""

    default_code = "not_found"


class MethodNotAllowed(GossipError):
    """405 ``method_not_allowed``."""

    default_code = "method_not_allowed"


class Conflict(GossipError):
    """409 ``conflict`` (or ``no_keyring``): the request does not fit the current state."""

    default_code = "conflict"


class PayloadTooLarge(GossipError):
    """413 ``payload_too_large``: the request body or the payload is over the limit."""

    default_code = "payload_too_large"


class UnsupportedMediaType(GossipError):
    """415 ``unsupported_media_type``."""

    default_code = "unsupported_media_type"


class NotReady(GossipError):
    """503 ``not_ready``: the agent has not joined a cluster yet."""

    default_code = "not_ready"


class Unavailable(GossipError):
    """503 ``unavailable``: the agent cannot serve this now (e.g. too many event streams)."""

    default_code = "unavailable"


class GossipTimeout(GossipError):
    """504 ``timeout``: the agent gave up waiting for the cluster."""

    default_code = "timeout"


class SendFailed(GossipError):
    """502 ``send_failed``: a direct message could not be delivered."""

    default_code = "send_failed"


class JoinFailed(GossipError):
    """502 ``join_failed``: no seed could be joined."""

    default_code = "join_failed"


class InternalError(GossipError):
    """500 ``internal``: the agent failed; its log says more."""

    default_code = "internal"


class ProtocolError(GossipError):
    """The agent answered something the client cannot read (not JSON, a broken stream)."""

    default_code = "protocol_error"


_BY_CODE: Dict[str, Type[GossipError]] = {
    "bad_request": BadRequest,
    "unauthorized": Unauthorized,
    "not_found": NotFound,
    "method_not_allowed": MethodNotAllowed,
    "conflict": Conflict,
    "no_keyring": Conflict,
    "payload_too_large": PayloadTooLarge,
    "unsupported_media_type": UnsupportedMediaType,
    "not_ready": NotReady,
    "unavailable": Unavailable,
    "timeout": GossipTimeout,
    "send_failed": SendFailed,
    "join_failed": JoinFailed,
    "internal": InternalError,
}

_BY_STATUS: Dict[int, Type[GossipError]] = {
    400: BadRequest,
    401: Unauthorized,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    500: InternalError,
    502: SendFailed,
    503: Unavailable,
    504: GossipTimeout,
}


def error_from_response(status: int, body: bytes, reason: str = "") -> GossipError:
    """Builds the exception for an HTTP error answer.

    Args:
        status: the HTTP status code.
        body: the raw response body; a JSON ``{"code", "message"}`` object when the agent wrote it.
        reason: the HTTP reason phrase, used when the body says nothing.
    """
    import json

    code: Optional[str] = None
    message: Optional[str] = None
    try:
        parsed = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        parsed = None
    if isinstance(parsed, dict):
        if isinstance(parsed.get("code"), str):
            code = parsed["code"]
        if isinstance(parsed.get("message"), str):
            message = parsed["message"]
    if message is None:
        text = body.decode("utf-8", "replace").strip() if body else ""
        message = text[:500] or reason or f"HTTP status {status}"
    cls = (_BY_CODE.get(code) if code else None) or _BY_STATUS.get(status) or GossipError
    if code is None:
        code = cls.default_code if cls is not GossipError else f"http_{status}"
    return cls(message, code=code, status=status)
