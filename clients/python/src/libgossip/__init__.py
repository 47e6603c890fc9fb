"""libgossip: a Python client for the libgossip agent (a SWIM gossip membership node).

The agent (``./gossip agent``) runs the gossip node and serves an HTTP API; this package speaks
that API with the standard library only::

    from libgossip import Agent

    agent = Agent("http://127.0.0.1:8946")
    for m in agent.members():
        print(m.id, m.address, m.status, m.metadata)
    with agent.events() as events:
        for event in events:
            print(event.type, event.member)
"""

from .client import DEFAULT_URL, Agent, EventStream, QueryStream
from .errors import (
    AgentUnreachable,
    BadRequest,
    Conflict,
    GossipError,
    GossipTimeout,
    InternalError,
    JoinFailed,
    MethodNotAllowed,
    NotFound,
    NotReady,
    PayloadTooLarge,
    ProtocolError,
    SendFailed,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
)
from .models import Event, Member, QueryReply, QuerySummary
from .sse import SSEParser

__version__ = "0.1.0"

__all__ = [
    "Agent",
    "AgentUnreachable",
    "BadRequest",
    "Conflict",
    "DEFAULT_URL",
    "Event",
    "EventStream",
    "GossipError",
    "GossipTimeout",
    "InternalError",
    "JoinFailed",
    "Member",
    "MethodNotAllowed",
    "NotFound",
    "NotReady",
    "PayloadTooLarge",
    "ProtocolError",
    "QueryReply",
    "QueryStream",
    "QuerySummary",
    "SSEParser",
    "SendFailed",
    "Unauthorized",
    "Unavailable",
    "UnsupportedMediaType",
    "__version__",
]
