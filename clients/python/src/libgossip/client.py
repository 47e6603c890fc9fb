"""The agent client: :class:`Agent`, :class:`EventStream` and :class:`QueryStream`."""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import threading
import time
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union
from urllib.parse import quote, urlencode, urlsplit

from .errors import AgentUnreachable, GossipError, ProtocolError, error_from_response
from .models import Event, Member, Payload, QueryReply, QuerySummary, encode_payload
from .sse import SSEParser

__all__ = ["Agent", "EventStream", "QueryStream", "DEFAULT_URL"]

#: The agent's default HTTP address (``--http 127.0.0.1:8946``).
DEFAULT_URL = "http://127.0.0.1:8946"

_USER_AGENT = "libgossip-python/0.1"
_MAX_LINE = 16 * 1024 * 1024


class _Connection:
    """One HTTP exchange whose response is read as it arrives (streams)."""

    def __init__(self, conn: http.client.HTTPConnection, response: http.client.HTTPResponse,
                 sock: Optional[socket.socket]):
        self.conn = conn
        self.response = response
        self.sock = sock
        self._lock = threading.Lock()
        self._reading = False
        self.closed = False

    def readline(self) -> bytes:
        """Reads one line; ``b""`` at the end of the stream or once closed."""
        with self._lock:
            if self.closed:
                return b""
            self._reading = True
        try:
            line = self.response.readline(_MAX_LINE + 1)
        except Exception:
            if self.closed:
                line = b""
            else:
                raise
        finally:
            with self._lock:
                self._reading = False
                closed = self.closed
            if closed:
                self._release()
        if closed:
            return b""
        if len(line) > _MAX_LINE:
            raise ProtocolError(f"a line of the stream is longer than {_MAX_LINE} bytes")
        return line

    def close(self) -> None:
        """Closes the connection; safe from another thread (unblocks a pending read)."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            reading = self._reading
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if not reading:
            # A reading thread releases the connection itself when its read returns.
            self._release()

    def _release(self) -> None:
        try:
            self.response.close()
        except Exception:  # noqa: BLE001 - closing must not raise
            pass
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001
            pass


def _tls_context(ca_file: Optional[str], cert_file: Optional[str],
                 key_file: Optional[str]) -> Optional[ssl.SSLContext]:
    """A client TLS context from PEM files, or None for the default one."""
    if ca_file is None and cert_file is None and key_file is None:
        return None
    if (cert_file is None) != (key_file is None):
        raise ValueError("a client certificate needs both cert_file and key_file")
    try:
        ctx = ssl.create_default_context(cafile=ca_file)
        if cert_file is not None:
            ctx.load_cert_chain(cert_file, key_file)
    except (OSError, ssl.SSLError) as e:
        raise ValueError(f"cannot use the TLS files: {e}") from e
    return ctx


class Agent:
    """A client of one libgossip agent's HTTP API.

    Each call opens its own connection, so one ``Agent`` may be shared between threads.

    Args:
        url: the agent's HTTP address, e.g. ``"http://127.0.0.1:8946"`` (``"host:port"`` works
            too). Defaults to ``$GOSSIP_HTTP_ADDR`` or :data:`DEFAULT_URL`.
        token: the bearer token when the agent requires one. Defaults to ``$GOSSIP_HTTP_TOKEN``.
        timeout: seconds to wait for the agent to connect and answer a call.
        ssl_context: the TLS context for an ``https://`` URL (default: the system's trust store,
            or one made from ``ca_file``, ``cert_file`` and ``key_file``).
        ca_file: CA certificates (PEM) the agent's certificate must chain to, for an agent started
            with ``--http-tls-cert``. Defaults to ``$GOSSIP_HTTP_CA``.
        cert_file, key_file: a client certificate chain and its private key (PEM), for an agent
            started with ``--http-tls-ca`` (mutual TLS). Default to ``$GOSSIP_HTTP_CLIENT_CERT``
            and ``$GOSSIP_HTTP_CLIENT_KEY``.

    Example::

        agent = Agent("http://127.0.0.1:8946")
        for m in agent.members(status="ONLINE"):
            print(m.id, m.address, m.status, m.metadata)
    """

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None,
                 timeout: float = 10, ssl_context: Optional[ssl.SSLContext] = None,
                 ca_file: Optional[str] = None, cert_file: Optional[str] = None,
                 key_file: Optional[str] = None):
        url = url or os.environ.get("GOSSIP_HTTP_ADDR") or DEFAULT_URL
        if "://" not in url:
            url = "http://" + url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"url must start with http:// or https://, got {url!r}")
        if not parts.hostname:
            raise ValueError(f"url has no host: {url!r}")
        if timeout is None or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self.url: str = url.rstrip("/")
        self.timeout: float = float(timeout)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._token = token if token is not None else os.environ.get("GOSSIP_HTTP_TOKEN") or None
        if ssl_context is None and self._https:
            ssl_context = _tls_context(ca_file or os.environ.get("GOSSIP_HTTP_CA") or None,
                                       cert_file or os.environ.get("GOSSIP_HTTP_CLIENT_CERT") or None,
                                       key_file or os.environ.get("GOSSIP_HTTP_CLIENT_KEY") or None)
        self._ssl_context = ssl_context

    def __repr__(self) -> str:
        return f"Agent(url={self.url!r})"

    # ---------------------------------------------------------------- members and metadata

    def members(self, status: Union[str, Iterable[str], None] = None,
                meta: Optional[Mapping[str, str]] = None) -> List[Member]:
        """Lists the members this agent knows, itself included, sorted by id.

        Args:
            status: keep only these statuses: one (``"ONLINE"``) or several
                (``["ONLINE", "SUSPECT"]`` or ``"online,suspect"``), case-insensitive.
            meta: keep only members whose metadata value for each key fully matches the
                regular expression given for it, e.g. ``{"role": "web|api"}``.
        """
        params: List[tuple] = []
        if status:
            statuses = [status] if isinstance(status, str) else list(status)
            params.append(("status", ",".join(statuses)))
        for key, regex in (meta or {}).items():
            params.append((f"meta.{key}", regex))
        body = self._call("GET", "/v1/members", params=params)
        return [Member.from_json(m) for m in _field(body, "members", list)]

    def member(self, member_id: str) -> Member:
        """Returns one member by id.

        Raises:
            NotFound: when the agent does not know that member.
        """
        for m in self.members():
            if m.id == member_id:
                return m
        raise error_from_response(404, json.dumps(
            {"code": "not_found", "message": f"no member with id {member_id!r}"}).encode())

    def self(self) -> Member:
        """Returns the agent's own member."""
        return Member.from_json(self._call("GET", "/v1/self"))

    def metadata(self) -> Dict[str, str]:
        """Returns the agent's own metadata."""
        return dict(_field(self._call("GET", "/v1/metadata"), "metadata", dict))

    def set_metadata(self, metadata: Optional[Mapping[str, str]] = None, **kv: str) -> Member:
        """Sets keys of the agent's metadata (others are kept) and spreads them to the cluster.

        Call as ``set_metadata({"role": "web"})`` or ``set_metadata(role="web")``.

        Returns:
            the agent's own member after the change.

        Raises:
            BadRequest: when a key or value breaks the metadata limits.
        """
        merged: Dict[str, str] = dict(metadata or {})
        merged.update(kv)
        if not merged:
            raise ValueError("set_metadata needs at least one key")
        return Member.from_json(self._call("PUT", "/v1/metadata", {"metadata": merged}))

    def delete_metadata(self, key: str) -> Member:
        """Removes one key from the agent's metadata.

        Returns:
            the agent's own member after the change.

        Raises:
            NotFound: when the key is not set.
        """
        return Member.from_json(self._call("DELETE", "/v1/metadata/" + quote(key, safe="")))

    # ---------------------------------------------------------------- cluster

    def join(self, *seeds: Union[str, Sequence[str]]) -> int:
        """Joins the cluster through one or more seeds (``"host:port"`` gossip addresses).

        Accepts ``join("a:7946", "b:7946")`` or ``join(["a:7946", "b:7946"])``.

        Returns:
            the number of members known after joining.

        Raises:
            JoinFailed: when no seed could be joined.
        """
        flat: List[str] = []
        for s in seeds:
            if isinstance(s, str):
                flat.append(s)
            else:
                flat.extend(s)
        if not flat:
            raise ValueError("join needs at least one seed address")
        body = self._call("POST", "/v1/join", {"seeds": flat})
        return int(body.get("members") or 0)

    def leave(self, timeout: Optional[float] = None) -> bool:
        """Leaves the cluster gracefully; the agent process then exits.

        Args:
            timeout: seconds the agent may spend telling the cluster (its default: 5).
        """
        body: Dict[str, Any] = {}
        if timeout is not None:
            body["timeout_ms"] = int(timeout * 1000)
        read_timeout = self.timeout + (timeout if timeout is not None else 5.0)
        return bool(self._call("POST", "/v1/leave", body, timeout=read_timeout).get("left", True))

    def force_leave(self, member_id: str) -> Dict[str, Any]:
        """Marks a FAILED member as LEFT so the cluster stops waiting for it.

        Returns:
            ``{"id": ..., "status": "LEFT"}``.

        Raises:
            NotFound: unknown member. Conflict: the member is not FAILED.
        """
        return self._call("POST", "/v1/force-leave/" + quote(member_id, safe=""))

    # ---------------------------------------------------------------- messaging

    def broadcast(self, topic: str, payload: Payload, key: Optional[str] = None) -> int:
        """Broadcasts a user event to every member (they see it as a ``broadcast`` event).

        Args:
            topic: the event's name.
            payload: ``str`` (sent as UTF-8) or ``bytes``.
            key: optional; a newer broadcast with the same key replaces an older one in flight.

        Returns:
            the broadcast's sequence number.
        """
        body: Dict[str, Any] = {"topic": topic, **encode_payload(payload)}
        if key is not None:
            body["key"] = key
        return int(self._call("POST", "/v1/broadcast", body).get("seq") or 0)

    def send(self, member_id: str, topic: str, payload: Payload, reliable: bool = False) -> bool:
        """Sends a direct message to one member (it sees a ``message`` event).

        Args:
            reliable: send over the reliable (TCP) channel instead of a datagram.

        Raises:
            NotFound: unknown member. PayloadTooLarge: payload over the limit.
            SendFailed: the message could not be delivered.
        """
        body = {"to": member_id, "topic": topic, "reliable": bool(reliable),
                **encode_payload(payload)}
        return bool(self._call("POST", "/v1/send", body).get("sent", True))

    def query(self, name: str, payload: Payload = None, timeout: float = 5.0,
              members: Optional[Iterable[str]] = None, meta: Optional[Mapping[str, str]] = None,
              ack: bool = False) -> "QueryStream":
        """Asks members a question; their answers stream back as they arrive.

        Args:
            name: the query's name (members answer the names they know).
            payload: ``str`` or ``bytes``.
            timeout: seconds to wait for answers.
            members: only ask these member ids.
            meta: only ask members whose metadata matches (key → full-match regex).
            ack: ask members to acknowledge receipt before answering.

        Returns:
            a :class:`QueryStream`: iterate it for :class:`QueryReply` objects as they arrive,
            then read its :attr:`QueryStream.summary`; or call :meth:`QueryStream.result`.

        Example::

            with agent.query("uptime", "", timeout=3) as q:
                for reply in q:
                    print(reply.sender, reply.text)
            print(q.summary.responded)
        """
        body: Dict[str, Any] = {"name": name, **encode_payload(payload),
                                "timeout_ms": int(timeout * 1000)}
        if members is not None:
            body["members"] = list(members)
        if meta:
            body["meta"] = dict(meta)
        if ack:
            body["ack"] = True
        conn = self._open("POST", "/v1/query", body, timeout=self.timeout + timeout)
        return QueryStream(conn, self)

    def respond(self, query: Union[str, Event], payload: Payload) -> bool:
        """Answers a query received as a ``query`` event.

        Args:
            query: the query's ``"ORIGIN:ID"`` handle or the ``query`` :class:`Event` itself.
            payload: ``str`` or ``bytes``.

        Raises:
            NotFound: the query is unknown or expired.
        """
        handle = query.query_id if isinstance(query, Event) else query
        if not handle:
            raise ValueError("respond needs a query handle (a query event's query_id)")
        body = {"query": handle, **encode_payload(payload)}
        return bool(self._call("POST", "/v1/respond", body).get("responded", True))

    def events(self, types: Union[str, Iterable[str], None] = None, reconnect: bool = False,
               idle_timeout: float = 45.0) -> "EventStream":
        """Follows the agent's event stream.

        Args:
            types: the groups to receive: ``"member"``, ``"user"`` (broadcasts and messages),
                ``"query"``; default all.
            reconnect: when the stream ends or breaks, connect again (with growing pauses up to
                5 s) instead of stopping; each new connection starts with a ``snapshot`` event.
            idle_timeout: seconds without any data (the agent sends a keepalive every 15 s) after
                which the connection counts as broken.

        Returns:
            an :class:`EventStream`, an iterator of :class:`Event` objects whose first one is a
            ``snapshot``. Close it (or use ``with``) to stop.

        Raises:
            AgentUnreachable: when the first connection cannot be made.
        """
        if isinstance(types, str):
            types = [types]
        type_list = list(types) if types is not None else None
        return EventStream(self, type_list, reconnect, idle_timeout)

    # ---------------------------------------------------------------- observation and keys

    def health(self) -> Dict[str, Any]:
        """Returns ``{"status": "ok"}`` while the agent serves."""
        return self._call("GET", "/health")

    def ready(self) -> bool:
        """Whether the agent has joined a cluster (``GET /ready``)."""
        try:
            return bool(self._call("GET", "/ready").get("ready", False))
        except GossipError as e:
            if e.code == "not_ready":
                return False
            raise

    def stats(self) -> Dict[str, Any]:
        """Returns the agent's counters: node, message, keyring and agent statistics."""
        return self._call("GET", "/v1/stats")

    def keys(self) -> Dict[str, Any]:
        """Lists the encryption keys in use across the cluster (like ``serf keys -list``)."""
        return self._call("GET", "/v1/keys")

    def install_key(self, key: str) -> Dict[str, Any]:
        """Installs a base64 32-byte key on every member (``{"nodes","ok","errors"}``)."""
        return self._call("POST", "/v1/keys/install", {"key": key})

    def use_key(self, key: str) -> Dict[str, Any]:
        """Makes an installed key the primary key on every member."""
        return self._call("POST", "/v1/keys/use", {"key": key})

    def remove_key(self, key: str) -> Dict[str, Any]:
        """Removes a key from every member."""
        return self._call("POST", "/v1/keys/remove", {"key": key})

    # ---------------------------------------------------------------- HTTP

    def _headers(self, body: Optional[bytes], accept: str) -> Dict[str, str]:
        headers = {"Accept": accept, "User-Agent": _USER_AGENT}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self._token:
            headers["Authorization"] = "Bearer " + self._token
        return headers

    def _path(self, path: str, params: Optional[Sequence[tuple]] = None) -> str:
        full = self._prefix + path
        if params:
            full += "?" + urlencode(list(params))
        return full

    def _unreachable(self, e: BaseException) -> AgentUnreachable:
        reason = str(e) or type(e).__name__
        if isinstance(e, socket.timeout):
            reason = "no answer in time (" + reason + ")"
        return AgentUnreachable(f"cannot reach the agent at {self.url}: {reason}")

    def _open(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None,
              params: Optional[Sequence[tuple]] = None, timeout: Optional[float] = None,
              accept: str = "application/json") -> _Connection:
        """Sends a request; returns the open exchange once a 2xx status arrived."""
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        if data is None and method in ("POST", "PUT"):
            data = b"{}"
        t = timeout if timeout is not None else self.timeout
        conn: http.client.HTTPConnection
        if self._https:
            conn = http.client.HTTPSConnection(self._host, self._port, timeout=t,
                                               context=self._ssl_context)
        else:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=t)
        try:
            conn.connect()
            sock = conn.sock
            conn.request(method, self._path(path, params), body=data,
                         headers=self._headers(data, accept))
            response = conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise self._unreachable(e) from e
        if not 200 <= response.status < 300:
            try:
                raw = response.read(1024 * 1024)
            except (OSError, http.client.HTTPException):
                raw = b""
            finally:
                conn.close()
            raise error_from_response(response.status, raw, response.reason)
        return _Connection(conn, response, sock)

    def _call(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None,
              params: Optional[Sequence[tuple]] = None,
              timeout: Optional[float] = None) -> Dict[str, Any]:
        """Sends a request and returns its JSON object answer."""
        c = self._open(method, path, body, params, timeout)
        try:
            raw = c.response.read()
        except (OSError, http.client.HTTPException) as e:
            raise self._unreachable(e) from e
        finally:
            c.close()
        if not raw:
            return {}
        try:
            parsed = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise ProtocolError(f"{method} {path}: the agent's answer is not JSON: "
                                f"{raw[:200]!r}") from e
        if not isinstance(parsed, dict):
            raise ProtocolError(f"{method} {path}: expected a JSON object, got {parsed!r}"[:300])
        return parsed


def _field(body: Mapping[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if not isinstance(value, kind):
        raise ProtocolError(f"the agent's answer has no {name!r} {kind.__name__}: {body!r}"[:300])
    return value


class QueryStream:
    """A query's answers, read as the agent streams them (NDJSON).

    Iterating yields :class:`QueryReply` objects (``"ack"`` and ``"response"``) as they arrive and
    stops after the agent's final ``done`` line, which fills :attr:`summary`. The stream ends as
    soon as every targeted live member answered, not at the timeout.

    Attributes:
        replies: every reply read so far.
        summary: the final :class:`QuerySummary`, once the stream is done.
    """

    def __init__(self, conn: _Connection, agent: Agent):
        self._conn = conn
        self._agent = agent
        self.replies: List[QueryReply] = []
        self.summary: Optional[QuerySummary] = None

    @property
    def responses(self) -> List[QueryReply]:
        """The ``response`` replies read so far."""
        return [r for r in self.replies if r.type == "response"]

    @property
    def acks(self) -> List[str]:
        """The ids of the members that acknowledged so far."""
        return [r.sender for r in self.replies if r.type == "ack"]

    @property
    def done(self) -> bool:
        """Whether the final summary was read."""
        return self.summary is not None

    def __iter__(self) -> Iterator[QueryReply]:
        return self

    def __next__(self) -> QueryReply:
        while self.summary is None:
            if self._conn.closed:
                raise StopIteration
            try:
                line = self._conn.readline()
            except (OSError, http.client.HTTPException) as e:
                self.close()
                raise self._agent._unreachable(e) from e
            if not line:
                self.close()
                raise ProtocolError("the query stream ended without its final 'done' line")
            text = line.decode("utf-8", "replace").strip()
            if not text:
                continue
            try:
                obj = json.loads(text)
            except ValueError as e:
                self.close()
                raise ProtocolError(f"a query stream line is not JSON: {text[:200]!r}") from e
            if not isinstance(obj, dict):
                continue
            kind = obj.get("type")
            if kind == "done":
                self.close()
                if "targeted" not in obj and isinstance(obj.get("error"), str):
                    raise GossipError(f"the query failed: {obj['error']}", code="query_failed")
                self.summary = QuerySummary.from_json(obj)
                break
            if kind == "error":
                self.close()
                raise error_from_response(500, text.encode("utf-8"))
            if kind in ("ack", "response"):
                reply = QueryReply.from_json(obj)
                self.replies.append(reply)
                return reply
            # Unknown line types are skipped: newer agents may add some.
        raise StopIteration

    def result(self) -> QuerySummary:
        """Reads the rest of the stream and returns the summary."""
        for _ in self:
            pass
        assert self.summary is not None
        return self.summary

    def close(self) -> None:
        """Stops reading (the agent's query keeps running until its timeout)."""
        self._conn.close()

    def __enter__(self) -> "QueryStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventStream:
    """The agent's event stream as an iterator of :class:`Event` objects.

    Iteration blocks until the next event. It stops when :meth:`close` is called (from any
    thread) or, without ``reconnect``, when the agent closes the stream (after an ``overflow``
    event, or when it exits). Keepalive comments are consumed silently (counted in
    :attr:`keepalives`).
    """

    def __init__(self, agent: Agent, types: Optional[List[str]], reconnect: bool,
                 idle_timeout: float):
        self._agent = agent
        self._params = [("types", ",".join(types))] if types else []
        self._reconnect = reconnect
        self._idle_timeout = idle_timeout
        self._parser = SSEParser()
        self._closed = False
        self._conn: Optional[_Connection] = None
        self.connections = 0
        self._conn = self._connect()

    @property
    def keepalives(self) -> int:
        """How many keepalive comments were received."""
        return self._parser.comments

    def _connect(self) -> _Connection:
        conn = self._agent._open("GET", "/v1/events", params=self._params,
                                 timeout=self._idle_timeout, accept="text/event-stream")
        self.connections += 1
        self._parser.reset()
        return conn

    def _reconnect_loop(self) -> bool:
        delay = 0.1
        while not self._closed:
            try:
                self._conn = self._connect()
                if self._closed:
                    self._conn.close()
                    return False
                return True
            except GossipError:
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        return False

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        while not self._closed:
            conn = self._conn
            if conn is None:
                raise StopIteration
            try:
                line = conn.readline()
                broken: Optional[BaseException] = None
            except (OSError, http.client.HTTPException) as e:
                line, broken = b"", e
            if self._closed:
                break
            if not line:
                conn.close()
                if self._reconnect and self._reconnect_loop():
                    continue
                self._closed = True
                if broken is not None and not self._reconnect:
                    raise self._agent._unreachable(broken) from broken
                break
            event = self._parser.feed_line(line.decode("utf-8", "replace"))
            if event is not None:
                return event
        raise StopIteration

    def close(self) -> None:
        """Stops the stream; a thread blocked in iteration then stops too."""
        self._closed = True
        if self._conn is not None:
            self._conn.close()

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
