"""Unit tests of the client against a fake agent: request shapes, SSE, NDJSON and errors."""

from __future__ import annotations

import base64
import json
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from libgossip import (  # noqa: E402
    Agent,
    AgentUnreachable,
    BadRequest,
    Conflict,
    Event,
    GossipError,
    Member,
    NotFound,
    ProtocolError,
    SSEParser,
    Unavailable,
)
from libgossip.errors import error_from_response  # noqa: E402

from fake_agent import FakeAgent  # noqa: E402

M1 = {"id": "n1", "ip": "127.0.0.1", "port": 7946, "address": "127.0.0.1:7946",
      "status": "ONLINE", "incarnation": 3, "metadata": {"role": "web"},
      "metadata_version": 2, "self": True}
M2 = dict(M1, id="n2", port=7947, address="127.0.0.1:7947", status="SUSPECT", self=False,
          metadata={})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SSEParserTest(unittest.TestCase):
    def test_event_with_type_and_json_data(self):
        p = SSEParser()
        evs = p.feed('event: joined\ndata: {"type":"joined","member":%s}\n\n' % json.dumps(M2))
        self.assertEqual(1, len(evs))
        self.assertEqual("joined", evs[0].type)
        self.assertTrue(evs[0].is_member_event)
        self.assertEqual("n2", evs[0].member.id)
        self.assertEqual("SUSPECT", evs[0].member.status)

    def test_keepalive_comments_are_counted_not_dispatched(self):
        p = SSEParser()
        self.assertEqual([], p.feed(": keepalive\n\n: keepalive\n\n"))
        self.assertEqual(2, p.comments)

    def test_multiline_data_is_joined_and_crlf_is_stripped(self):
        p = SSEParser()
        self.assertIsNone(p.feed_line("event: x\r\n"))
        self.assertIsNone(p.feed_line("data: {\"a\":\r\n"))
        self.assertIsNone(p.feed_line("data:1}\r\n"))
        ev = p.feed_line("\r\n")
        self.assertEqual("x", ev.type)
        self.assertEqual({"a": 1}, ev.data)

    def test_default_type_id_retry_and_unknown_fields(self):
        p = SSEParser()
        evs = p.feed("id: 7\nretry: 3000\nfoo: bar\ndata: {}\n\n")
        self.assertEqual("message", evs[0].type)
        self.assertEqual("7", evs[0].id)
        self.assertEqual(3000, p.retry_ms)

    def test_event_without_data_is_not_dispatched_and_type_resets(self):
        p = SSEParser()
        self.assertEqual([], p.feed("event: lonely\n\n"))
        self.assertEqual("message", p.feed("data: {}\n\n")[0].type)

    def test_non_json_data_is_kept_as_text(self):
        ev = SSEParser().feed("event: t\ndata: hello\n\n")[0]
        self.assertEqual({"text": "hello"}, ev.data)


class ModelsTest(unittest.TestCase):
    def test_member_from_json_reads_every_field(self):
        m = Member.from_json(M1)
        self.assertEqual(("n1", "127.0.0.1", 7946, "127.0.0.1:7946", "ONLINE", 3, {"role": "web"}, 2),
                         (m.id, m.ip, m.port, m.address, m.status, m.incarnation, m.metadata,
                          m.metadata_version))
        self.assertTrue(m.is_self)
        self.assertTrue(m.online)

    def test_member_from_json_rejects_non_member(self):
        with self.assertRaises(ProtocolError):
            Member.from_json({"no": "id"})

    def test_user_events_decode_payloads(self):
        raw = b"\xff\x00binary"
        ev = Event("broadcast", {"type": "broadcast", "from": "n1", "topic": "t", "key": None,
                                 "seq": 4, "payload": None,
                                 "payload_base64": base64.b64encode(raw).decode()})
        self.assertEqual(raw, ev.payload)
        self.assertIsNone(ev.text)
        self.assertEqual("n1", ev.sender)
        self.assertEqual("t", ev.topic)
        self.assertIsNone(ev.key)
        self.assertFalse(ev.is_member_event)
        q = Event("query", {"type": "query", "query": "n1:5", "from": "n1", "name": "up",
                            "payload": "hé", "payload_base64": base64.b64encode("hé".encode()).decode()})
        self.assertEqual("n1:5", q.query_id)
        self.assertEqual("up", q.name)
        self.assertEqual("hé", q.text)

    def test_snapshot_event(self):
        ev = Event("snapshot", {"self": M1, "members": [M1, M2]})
        self.assertEqual("n1", ev.self_member.id)
        self.assertEqual(["n1", "n2"], [m.id for m in ev.members])


class ErrorsTest(unittest.TestCase):
    def test_code_picks_the_class_and_keeps_code_message_status(self):
        e = error_from_response(404, b'{"code":"not_found","message":"no member x"}')
        self.assertIsInstance(e, NotFound)
        self.assertEqual(("not_found", "no member x", 404), (e.code, e.message, e.status))
        self.assertIn("no member x", str(e))

    def test_no_keyring_is_a_conflict(self):
        self.assertIsInstance(error_from_response(409, b'{"code":"no_keyring","message":"m"}'),
                              Conflict)

    def test_status_is_used_when_the_body_is_not_json(self):
        e = error_from_response(503, b"<html>busy</html>", "Service Unavailable")
        self.assertIsInstance(e, Unavailable)
        self.assertEqual("unavailable", e.code)
        e = error_from_response(418, b"", "I'm a teapot")
        self.assertIs(type(e), GossipError)
        self.assertEqual("http_418", e.code)
        self.assertEqual("I'm a teapot", e.message)


class AgentAgainstFakeTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeAgent()
        self.agent = Agent(self.fake.url, timeout=5)

    def tearDown(self):
        self.fake.close()

    def test_members_sends_status_and_meta_filters(self):
        self.fake.answer("GET", "/v1/members", {"members": [M1, M2]})
        ms = self.agent.members(status=["ONLINE", "SUSPECT"], meta={"role": "web|api"})
        self.assertEqual(["n1", "n2"], [m.id for m in ms])
        self.assertEqual([("status", "ONLINE,SUSPECT"), ("meta.role", "web|api")],
                         self.fake.last().query)

    def test_token_is_sent_as_bearer(self):
        self.fake.answer("GET", "/v1/self", M1)
        Agent(self.fake.url, token="s3cret").self()
        self.assertEqual("Bearer s3cret", self.fake.last().headers["Authorization"])

    def test_set_and_delete_metadata(self):
        self.fake.answer("PUT", "/v1/metadata", M1)
        self.fake.answer("DELETE", "/v1/metadata/a%20b%2Fc", M1)
        self.assertEqual("n1", self.agent.set_metadata({"a": "1"}, b="2").id)
        self.assertEqual({"metadata": {"a": "1", "b": "2"}}, self.fake.last().json)
        self.assertEqual("application/json", self.fake.last().headers["Content-Type"])
        self.agent.delete_metadata("a b/c")
        self.assertEqual("/v1/metadata/a%20b%2Fc", self.fake.last().path)

    def test_payloads_text_as_utf8_bytes_as_base64(self):
        self.fake.answer("POST", "/v1/broadcast", {"seq": 9})
        self.fake.answer("POST", "/v1/send", {"sent": True})
        self.assertEqual(9, self.agent.broadcast("t", "héllo", key="k"))
        self.assertEqual({"topic": "t", "payload": "héllo", "key": "k"}, self.fake.last().json)
        self.assertTrue(self.agent.send("n2", "t", b"\x00\xff", reliable=True))
        self.assertEqual({"to": "n2", "topic": "t", "reliable": True, "payload_base64": "AP8="},
                         self.fake.last().json)
        with self.assertRaises(TypeError):
            self.agent.broadcast("t", 42)

    def test_join_leave_force_leave_respond_stats_keys(self):
        self.fake.answer("POST", "/v1/join", {"joined": True, "members": 3})
        self.fake.answer("POST", "/v1/leave", {"left": True})
        self.fake.answer("POST", "/v1/force-leave/n2", {"id": "n2", "status": "LEFT"})
        self.fake.answer("POST", "/v1/respond", {"responded": True})
        self.fake.answer("GET", "/v1/stats", {"members": 3})
        self.fake.answer("GET", "/v1/keys", {"nodes": 3, "responded": 3})
        self.assertEqual(3, self.agent.join("a:1", ["b:2"]))
        self.assertEqual({"seeds": ["a:1", "b:2"]}, self.fake.last().json)
        self.assertTrue(self.agent.leave(timeout=2))
        self.assertEqual({"timeout_ms": 2000}, self.fake.last().json)
        self.assertEqual("LEFT", self.agent.force_leave("n2")["status"])
        q = Event("query", {"query": "n1:7"})
        self.assertTrue(self.agent.respond(q, b"\x01"))
        self.assertEqual({"query": "n1:7", "payload_base64": "AQ=="}, self.fake.last().json)
        self.assertEqual({"members": 3}, self.agent.stats())
        self.assertEqual(3, self.agent.keys()["nodes"])

    def test_error_answer_raises_subclass_with_code_message_status(self):
        self.fake.answer("POST", "/v1/send", {"code": "not_found", "message": "no member zz"}, 404)
        with self.assertRaises(NotFound) as cm:
            self.agent.send("zz", "t", "x")
        self.assertEqual(("not_found", "no member zz", 404),
                         (cm.exception.code, cm.exception.message, cm.exception.status))
        self.fake.answer("PUT", "/v1/metadata", {"code": "bad_request", "message": "too long"}, 400)
        with self.assertRaises(BadRequest):
            self.agent.set_metadata(k="v")

    def test_answer_that_is_not_json_is_a_protocol_error(self):
        self.fake.answer("GET", "/v1/stats", b"not json")
        with self.assertRaises(ProtocolError):
            self.agent.stats()

    def test_unreachable_agent(self):
        agent = Agent("http://127.0.0.1:%d" % free_port(), timeout=2)
        with self.assertRaises(AgentUnreachable) as cm:
            agent.members()
        self.assertEqual("unreachable", cm.exception.code)
        self.assertIsNone(cm.exception.status)
        self.assertIsInstance(cm.exception, GossipError)
        with self.assertRaises(AgentUnreachable):
            agent.events()

    def test_url_forms(self):
        self.assertEqual("http://h:1", Agent("h:1").url)
        with self.assertRaises(ValueError):
            Agent("ftp://h:1")

    def test_query_replies_stream_before_done(self):
        gate = threading.Event()

        def serve(r):
            r.start_chunked("application/x-ndjson")
            r.chunk(b'{"type":"ack","from":"n2"}\n')
            r.chunk(b'{"type":"response","from":"n2","payload":"up 5s","payload_base64":"dXAgNXM="}\n')
            gate.wait(10)
            r.chunk(b'{"type":"future-kind"}\n\n')
            r.chunk(b'{"type":"response","from":"n3","payload":null,"payload_base64":"/w=="}\n'
                    b'{"type":"done","targeted":["n2","n3"],"acked":["n2"],'
                    b'"responded":["n2","n3"],"departed":[],"timed_out":false}\n')
            r.end_chunked()

        self.fake.on("POST", "/v1/query", serve)
        with self.agent.query("uptime", "now", timeout=2, members=["n2", "n3"],
                              meta={"role": "web"}, ack=True) as q:
            self.assertEqual({"name": "uptime", "payload": "now", "timeout_ms": 2000,
                              "members": ["n2", "n3"], "meta": {"role": "web"}, "ack": True},
                             self.fake.last().json)
            first = next(q)
            self.assertEqual(("ack", "n2"), (first.type, first.sender))
            second = next(q)
            self.assertEqual(("response", "n2", b"up 5s", "up 5s"),
                             (second.type, second.sender, second.payload, second.text))
            self.assertFalse(q.done)
            gate.set()
            rest = list(q)
        self.assertEqual([("n3", b"\xff", None)], [(r.sender, r.payload, r.text) for r in rest])
        self.assertEqual(("n2", "n3"), q.summary.responded)
        self.assertFalse(q.summary.timed_out)
        self.assertEqual(["n2"], q.acks)
        self.assertEqual(2, len(q.responses))

    def test_query_stream_cut_before_done_is_a_protocol_error(self):
        def serve(r):
            r.start_chunked("application/x-ndjson")
            r.chunk(b'{"type":"ack","from":"n2"}\n')
            r.end_chunked()

        self.fake.on("POST", "/v1/query", serve)
        q = self.agent.query("x", "")
        with self.assertRaises(ProtocolError):
            q.result()

    def test_query_that_failed_in_the_agent_raises(self):
        def serve(r):
            r.start_chunked("application/x-ndjson")
            r.chunk(b'{"type":"done","error":"node stopped"}\n')
            r.end_chunked()

        self.fake.on("POST", "/v1/query", serve)
        with self.assertRaises(GossipError) as cm:
            self.agent.query("x", "").result()
        self.assertEqual("query_failed", cm.exception.code)
        self.assertIn("node stopped", cm.exception.message)

    def test_query_error_status(self):
        self.fake.answer("POST", "/v1/query", {"code": "bad_request", "message": "no name"}, 400)
        with self.assertRaises(BadRequest):
            self.agent.query("", "")

    def _sse_route(self, events_per_connection, hold: threading.Event):
        connections = []

        def serve(r):
            connections.append(r)
            r.start_chunked("text/event-stream")
            r.chunk(b": keepalive\n\n")
            for name, data in events_per_connection:
                r.chunk(b"event: %s\ndata: %s\n\n" % (name.encode(), json.dumps(data).encode()))
            hold.wait(10)
            r.end_chunked()

        return connections, serve

    def test_events_stream_parses_and_close_unblocks_a_reader(self):
        hold = threading.Event()
        conns, serve = self._sse_route(
            [("snapshot", {"self": M1, "members": [M1, M2]}),
             ("metadata-changed", {"type": "metadata-changed", "member": M2,
                                   "previous_status": None, "time_ms": 5})], hold)
        self.fake.on("GET", "/v1/events", serve)
        stream = self.agent.events(types=["member", "user"])
        self.assertEqual([("types", "member,user")], self.fake.last().query)
        self.assertEqual("text/event-stream", self.fake.last().headers["Accept"])
        first = next(stream)
        self.assertEqual("snapshot", first.type)
        self.assertEqual(2, len(first.members))
        second = next(stream)
        self.assertEqual(("metadata-changed", "n2", 5), (second.type, second.member.id, second.time_ms))
        self.assertEqual(1, stream.keepalives)
        got = []
        t = threading.Thread(target=lambda: got.extend(stream), daemon=True)
        t.start()
        time.sleep(0.2)  # let the reader block on the socket
        stream.close()
        t.join(5)
        hold.set()
        self.assertFalse(t.is_alive(), "close() did not unblock the reading thread")
        self.assertEqual([], got)

    def test_events_stream_ends_when_agent_closes_without_reconnect(self):
        hold = threading.Event()
        hold.set()
        _, serve = self._sse_route([("snapshot", {"self": M1, "members": [M1]}),
                                    ("overflow", {})], hold)
        self.fake.on("GET", "/v1/events", serve)
        with self.agent.events() as stream:
            self.assertEqual(["snapshot", "overflow"], [e.type for e in stream])

    def test_events_stream_reconnects_and_gets_a_new_snapshot(self):
        hold = threading.Event()
        hold.set()
        conns, serve = self._sse_route([("snapshot", {"self": M1, "members": [M1]})], hold)
        self.fake.on("GET", "/v1/events", serve)
        with self.agent.events(reconnect=True) as stream:
            self.assertEqual("snapshot", next(stream).type)
            self.assertEqual("snapshot", next(stream).type)
            self.assertGreaterEqual(stream.connections, 2)

    def test_events_stream_refused_with_503(self):
        self.fake.answer("GET", "/v1/events", {"code": "unavailable", "message": "64 streams"}, 503)
        with self.assertRaises(Unavailable):
            self.agent.events()


if __name__ == "__main__":
    unittest.main()
