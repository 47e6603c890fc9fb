"""Value objects built from the agent's JSON: members, events and query answers."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from .errors import ProtocolError

__all__ = [
    "Member",
    "Event",
    "QueryReply",
    "QuerySummary",
    "MEMBER_EVENT_TYPES",
    "encode_payload",
    "decode_payload",
]

Payload = Union[str, bytes, bytearray, memoryview]

#: Event types that carry a ``member`` (``ClusterEvent.Kind`` lowercased, ``_`` → ``-``).
MEMBER_EVENT_TYPES = frozenset(
    {
        "joined",
        "recovered",
        "suspected",
        "failed",
        "left",
        "removed",
        "metadata-changed",
        "self-joined",
        "self-refuted",
        "leave-spread",
        "resync",
        "conflict",
    }
)


def encode_payload(payload: Optional[Payload]) -> Dict[str, str]:
    """Returns the request fields for a payload.

    A ``str`` is sent as UTF-8 text (``"payload"``); ``bytes``-like data as ``"payload_base64"``;
    ``None`` as an empty payload.

    Raises:
        TypeError: when the payload is of another type.
    """
    if payload is None:
        return {"payload": ""}
    if isinstance(payload, str):
        return {"payload": payload}
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return {"payload_base64": base64.b64encode(bytes(payload)).decode("ascii")}
    raise TypeError(f"payload must be str or bytes, not {type(payload).__name__}")


def decode_payload(data: Mapping[str, Any]) -> bytes:
    """Returns the payload bytes of a response or event object (``payload_base64`` first)."""
    b64 = data.get("payload_base64")
    if isinstance(b64, str):
        try:
            return base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError) as e:
            raise ProtocolError(f"payload_base64 is not valid base64: {e}") from e
    text = data.get("payload")
    if isinstance(text, str):
        return text.encode("utf-8")
    return b""


def _text_or_none(data: Mapping[str, Any], raw: bytes) -> Optional[str]:
    text = data.get("payload")
    if isinstance(text, str):
        return text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class Member:
    """One member of the cluster, as the agent sees it (the seed's ``node_view``).

    Attributes:
        id: the member's unique id.
        ip: its gossip IP address.
        port: its gossip port.
        address: ``"ip:port"``.
        status: ``"ONLINE"``, ``"SUSPECT"``, ``"FAILED"`` or ``"LEFT"``.
        incarnation: its incarnation number (raised when it refutes a suspicion).
        metadata: its key/value metadata.
        metadata_version: the version of that metadata.
        is_self: whether this member is the agent answering (the API's ``"self"`` field).
        raw: the JSON object this member was read from (fields added later stay reachable).
    """

    id: str
    ip: str
    port: int
    address: str
    status: str
    incarnation: int = 0
    metadata: Dict[str, str] = field(default_factory=dict)
    metadata_version: int = 0
    is_self: bool = False
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Member":
        """Builds a member from the API's member object.

        Raises:
            ProtocolError: when ``data`` is not a member object.
        """
        if not isinstance(data, Mapping) or not isinstance(data.get("id"), str):
            raise ProtocolError(f"not a member object: {data!r}"[:300])
        ip = str(data.get("ip") or "")
        port = int(data.get("port") or 0)
        address = str(data.get("address") or (f"{ip}:{port}" if ip else ""))
        meta = data.get("metadata") or {}
        return cls(
            id=data["id"],
            ip=ip,
            port=port,
            address=address,
            status=str(data.get("status") or ""),
            incarnation=int(data.get("incarnation") or 0),
            metadata={str(k): str(v) for k, v in dict(meta).items()},
            metadata_version=int(data.get("metadata_version") or 0),
            is_self=bool(data.get("self", False)),
            raw=dict(data),
        )

    @property
    def online(self) -> bool:
        """Whether the member's status is ``ONLINE``."""
        return self.status == "ONLINE"


@dataclass(frozen=True)
class Event:
    """One event from the agent's event stream.

    ``type`` is the SSE event name: ``"snapshot"`` (always first), a member event such as
    ``"joined"``, ``"suspected"``, ``"failed"``, ``"left"``, ``"metadata-changed"``, or a user
    event ``"broadcast"``, ``"message"``, ``"query"``; ``"overflow"`` when the agent dropped this
    subscriber. ``data`` is the decoded JSON; the properties below read it.
    """

    type: str
    data: Dict[str, Any]
    id: Optional[str] = None

    @classmethod
    def from_sse(cls, event_type: str, data: str, event_id: Optional[str] = None) -> "Event":
        """Builds an event from one SSE message (its ``event:`` and joined ``data:`` lines).

        Data that is not a JSON object is kept as ``{"text": data}``.
        """
        try:
            parsed = json.loads(data) if data else {}
        except ValueError:
            parsed = {"text": data}
        if not isinstance(parsed, dict):
            parsed = {"value": parsed}
        return cls(type=event_type, data=parsed, id=event_id)

    @property
    def is_member_event(self) -> bool:
        """Whether this is a membership change (it then has a :attr:`member`)."""
        return self.type in MEMBER_EVENT_TYPES or (
            self.type not in ("snapshot", "broadcast", "message", "query", "overflow")
            and isinstance(self.data.get("member"), dict)
        )

    @property
    def member(self) -> Optional[Member]:
        """The member a member event is about, else ``None``."""
        m = self.data.get("member")
        return Member.from_json(m) if isinstance(m, dict) else None

    @property
    def members(self) -> List[Member]:
        """The members of a ``snapshot`` event (empty for other events)."""
        return [Member.from_json(m) for m in self.data.get("members") or []]

    @property
    def self_member(self) -> Optional[Member]:
        """The agent's own member in a ``snapshot`` event."""
        m = self.data.get("self")
        return Member.from_json(m) if isinstance(m, dict) else None

    @property
    def previous_status(self) -> Optional[str]:
        """The member's status before a member event, when known."""
        v = self.data.get("previous_status")
        return v if isinstance(v, str) else None

    @property
    def time_ms(self) -> Optional[int]:
        """When the agent saw a member event, in epoch milliseconds."""
        v = self.data.get("time_ms")
        return int(v) if isinstance(v, (int, float)) else None

    @property
    def sender(self) -> Optional[str]:
        """The id of the member that sent a broadcast, message or query (the API's ``from``)."""
        v = self.data.get("from")
        return v if isinstance(v, str) else None

    @property
    def topic(self) -> Optional[str]:
        """The topic of a broadcast or message."""
        v = self.data.get("topic")
        return v if isinstance(v, str) else None

    @property
    def key(self) -> Optional[str]:
        """The key of a broadcast, if it had one."""
        v = self.data.get("key")
        return v if isinstance(v, str) else None

    @property
    def name(self) -> Optional[str]:
        """The name of a query."""
        v = self.data.get("name")
        return v if isinstance(v, str) else None

    @property
    def query_id(self) -> Optional[str]:
        """The ``"ORIGIN:ID"`` handle of a query, to pass to :meth:`Agent.respond`."""
        v = self.data.get("query")
        return v if isinstance(v, str) else None

    @property
    def payload(self) -> bytes:
        """The payload bytes of a broadcast, message or query (``b""`` if none)."""
        return decode_payload(self.data)

    @property
    def text(self) -> Optional[str]:
        """The payload as text when it is valid UTF-8, else ``None``."""
        return _text_or_none(self.data, self.payload)


@dataclass(frozen=True)
class QueryReply:
    """One line of a query's answer stream: an ``"ack"`` or a ``"response"``.

    Attributes:
        type: ``"ack"`` or ``"response"``.
        sender: the id of the member that acknowledged or answered.
        payload: the response bytes (``b""`` for an ack).
        text: the response as text when it is valid UTF-8, else ``None``.
    """

    type: str
    sender: str
    payload: bytes = b""
    text: Optional[str] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "QueryReply":
        """Builds a reply from one NDJSON line's object."""
        payload = decode_payload(data) if data.get("type") == "response" else b""
        text = _text_or_none(data, payload) if data.get("type") == "response" else None
        return cls(type=str(data.get("type")), sender=str(data.get("from") or ""),
                   payload=payload, text=text)


@dataclass(frozen=True)
class QuerySummary:
    """The last line of a query's answer stream.

    Attributes:
        targeted: the members the query was sent to.
        acked: the members that acknowledged it.
        responded: the members that answered.
        departed: targeted members that left or failed while it ran.
        timed_out: whether the query ran until its timeout.
    """

    targeted: Tuple[str, ...] = ()
    acked: Tuple[str, ...] = ()
    responded: Tuple[str, ...] = ()
    departed: Tuple[str, ...] = ()
    timed_out: bool = False
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "QuerySummary":
        """Builds the summary from the ``"done"`` line's object."""

        def ids(name: str) -> Tuple[str, ...]:
            return tuple(str(x) for x in data.get(name) or ())

        return cls(
            targeted=ids("targeted"),
            acked=ids("acked"),
            responded=ids("responded"),
            departed=ids("departed"),
            timed_out=bool(data.get("timed_out", False)),
            raw=dict(data),
        )
