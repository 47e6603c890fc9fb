"""Every client call against a real 3-agent cluster on loopback (``./gossip agent``).

setUpModule starts agents a, b and c from the repository root with ephemeral ports and
``--ready-file``; b and c join a; c answers queries named ``ping`` by itself (``--respond``).
tearDownModule kills every process started here, also when a test or the set-up failed.
Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
from typing import Callable, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))

from libgossip import (  # noqa: E402
    Agent,
    AgentUnreachable,
    Conflict,
    Event,
    EventStream,
    GossipError,
    Member,
    NotFound,
    Unavailable,
)

REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
GOSSIP = os.path.join(REPO, "gossip")
FIRST_START_S = 180.0  # the first ./gossip run may build the project
START_S = 60.0
CONVERGE_S = 60.0


class AgentProcess:
    """One ``./gossip agent`` process started by the tests."""

    def __init__(self, name: str, workdir: str, extra: List[str]):
        self.name = name
        self.ready_file = os.path.join(workdir, f"{name}.ready.json")
        self.log_path = os.path.join(workdir, f"{name}.log")
        self._log = open(self.log_path, "wb")
        # --retry-join: on a busy machine the first join may miss its deadline.
        cmd = [GOSSIP, "agent", "--id", name, "--bind", "127.0.0.1:0", "--http", "127.0.0.1:0",
               "--ready-file", self.ready_file, "--retry-join"] + extra
        # A session of its own, so that the launcher script and the JVM it starts are stopped
        # together (by this process group's id).
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.info: Dict[str, object] = {}

    def wait_ready(self, timeout: float) -> "AgentProcess":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.ready_file):
                try:
                    with open(self.ready_file, encoding="utf-8") as f:
                        self.info = json.load(f)
                    return self
                except ValueError:
                    pass  # written atomically, but be lenient
            if self.proc.poll() is not None:
                raise RuntimeError(f"agent {self.name} exited with {self.proc.returncode} before "
                                   f"it was ready:\n{self.log_tail()}")
            time.sleep(0.1)
        raise RuntimeError(f"agent {self.name} not ready within {timeout:.0f} s:\n{self.log_tail()}")

    @property
    def id(self) -> str:
        return str(self.info["id"])

    @property
    def gossip(self) -> str:
        return str(self.info["gossip"])

    @property
    def http(self) -> str:
        return str(self.info["http"])

    def client(self, **kw) -> Agent:
        return Agent(self.http, timeout=10, **kw)

    def wait_exit(self, timeout: float) -> Optional[int]:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        """SIGTERM (a graceful leave), then SIGKILL after 10 s; the whole process group."""
        try:
            if self.proc.poll() is None:
                self.kill(signal.SIGTERM)
                if self.wait_exit(10) is None:
                    self.kill(signal.SIGKILL)
                    self.wait_exit(10)
            # The group may outlive the launcher (a JVM it forked): make sure it is gone.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        finally:
            self._log.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"


WORKDIR = ""
PROCS: List[AgentProcess] = []


def start_agent(name: str, extra: List[str], timeout: float = START_S) -> AgentProcess:
    p = AgentProcess(name, WORKDIR, extra)
    PROCS.append(p)
    return p.wait_ready(timeout)


def setUpModule() -> None:
    global WORKDIR
    WORKDIR = tempfile.mkdtemp(prefix="libgossip-py-")
    try:
        a = start_agent("py-a", ["--meta", "role=seed"], FIRST_START_S)
        b = AgentProcess("py-b", WORKDIR, ["--join", a.gossip, "--meta", "role=web"])
        PROCS.append(b)
        c = AgentProcess("py-c", WORKDIR, ["--join", a.gossip, "--meta", "role=web",
                                           "--respond", "ping=pong from c"])
        PROCS.append(c)
        b.wait_ready(START_S)
        c.wait_ready(START_S)
        for p in (a, b, c):
            wait_until(lambda p=p: len(p.client().members(status="ONLINE")) == 3, CONVERGE_S,
                       f"{p.name} sees 3 ONLINE members")
    except BaseException:
        for p in PROCS:
            sys.stderr.write(f"--- log of {p.name} (last lines) ---\n{p.log_tail()}\n")
        tearDownModule()
        raise


def tearDownModule() -> None:
    for p in PROCS:
        p.stop()
    PROCS.clear()
    if WORKDIR and not os.environ.get("LIBGOSSIP_KEEP_LOGS"):
        shutil.rmtree(WORKDIR, ignore_errors=True)


def wait_until(cond: Callable[[], object], timeout: float, what: str, interval: float = 0.1):
    """Polls ``cond`` until it returns a true value; fails the test after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last_error: Optional[BaseException] = None
    while True:
        try:
            value = cond()
            if value:
                return value
        except GossipError as e:
            last_error = e
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting until {what}"
                                 + (f" (last error: {last_error})" if last_error else ""))
        time.sleep(interval)


class Collector:
    """Reads an event stream on a thread so a test can wait for an event with a deadline."""

    def __init__(self, stream: EventStream):
        self.stream = stream
        self.events: "queue.Queue[Event]" = queue.Queue()
        self.error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for ev in self.stream:
                self.events.put(ev)
        except BaseException as e:  # noqa: BLE001 - reported by wait_for
            self.error = e

    def wait_for(self, pred: Callable[[Event], bool], timeout: float, what: str) -> Event:
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no event {what} within {timeout:.0f} s; saw "
                                     f"{[e.type for e in seen]}; stream error: {self.error}")
            try:
                ev = self.events.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            seen.append(ev)
            if pred(ev):
                return ev

    def close(self) -> None:
        self.stream.close()
        self._thread.join(10)


def proc(name: str) -> AgentProcess:
    return next(p for p in PROCS if p.name == name)


class ClusterTest(unittest.TestCase):
    """Calls that keep the cluster as it is (a, b, c all ONLINE)."""

    def setUp(self):
        self.a, self.b, self.c = proc("py-a"), proc("py-b"), proc("py-c")
        self.ca, self.cb, self.cc = self.a.client(), self.b.client(), self.c.client()

    def test_health_and_ready(self):
        self.assertEqual("ok", self.ca.health()["status"])
        self.assertTrue(self.cb.ready())

    def test_members_lists_all_three_as_member_objects(self):
        members = self.ca.members()
        self.assertEqual(sorted([self.a.id, self.b.id, self.c.id]), [m.id for m in members])
        for m in members:
            self.assertIsInstance(m, Member)
            self.assertEqual("127.0.0.1", m.ip)
            self.assertGreater(m.port, 0)
            self.assertEqual(f"{m.ip}:{m.port}", m.address)
            self.assertEqual("ONLINE", m.status)
            self.assertGreaterEqual(m.incarnation, 0)
        by_id = {m.id: m for m in members}
        self.assertEqual("127.0.0.1:%d" % by_id[self.b.id].port, self.b.gossip)
        self.assertEqual("web", by_id[self.b.id].metadata.get("role"))
        self.assertTrue(by_id[self.a.id].is_self)
        self.assertFalse(by_id[self.b.id].is_self)

    def test_members_filters_by_status_and_metadata(self):
        web = self.ca.members(status=["online", "suspect"], meta={"role": "w.b"})
        self.assertEqual(sorted([self.b.id, self.c.id]), [m.id for m in web])
        self.assertEqual([], self.ca.members(status="FAILED"))
        self.assertEqual([], self.ca.members(meta={"role": "we"}))  # a full match is needed

    def test_self(self):
        me = self.cc.self()
        self.assertEqual(self.c.id, me.id)
        self.assertEqual(self.c.gossip, me.address)
        self.assertTrue(me.is_self)

    def test_set_and_delete_metadata_spread_to_the_others(self):
        value = uuid.uuid4().hex[:8]
        me = self.cb.set_metadata({"zone": value}, rack="r1")
        self.assertEqual(value, me.metadata["zone"])
        self.assertEqual("web", me.metadata["role"])  # other keys are kept
        self.assertEqual(value, self.cb.metadata()["zone"])
        wait_until(lambda: [m.id for m in self.ca.members(meta={"zone": value})] == [self.b.id],
                   CONVERGE_S, "a sees b's new metadata")
        me = self.cb.delete_metadata("zone")
        self.assertNotIn("zone", me.metadata)
        self.cb.delete_metadata("rack")
        wait_until(lambda: self.ca.members(meta={"zone": ".*"}) == [], CONVERGE_S,
                   "a sees b's metadata key removed")
        with self.assertRaises(NotFound) as cm:
            self.cb.delete_metadata("zone")
        self.assertEqual(("not_found", 404), (cm.exception.code, cm.exception.status))

    def test_event_stream_shows_a_metadata_change_made_on_another_agent(self):
        events = Collector(self.ca.events(types="member"))
        try:
            snap = events.wait_for(lambda e: True, 10, "(the first)")
            self.assertEqual("snapshot", snap.type)
            self.assertEqual(self.a.id, snap.self_member.id)
            self.assertEqual(3, len(snap.members))
            value = uuid.uuid4().hex[:8]
            self.cb.set_metadata(color=value)
            ev = events.wait_for(
                lambda e: e.type == "metadata-changed" and e.member is not None
                and e.member.id == self.b.id and e.member.metadata.get("color") == value,
                CONVERGE_S, f"metadata-changed of {self.b.id} with color={value}")
            self.assertIsNotNone(ev.time_ms)
            self.assertEqual("ONLINE", ev.member.status)
        finally:
            events.close()
        self.cb.delete_metadata("color")

    def test_broadcast_arrives_as_an_event_on_every_other_agent(self):
        on_b = Collector(self.cb.events(types="user"))
        on_c = Collector(self.cc.events(types=["user"]))
        try:
            for col in (on_b, on_c):
                col.wait_for(lambda e: e.type == "snapshot", 10, "snapshot")
            topic = "deploy-" + uuid.uuid4().hex[:6]
            payload = b"\x00\xffbinary"
            seq = self.ca.broadcast(topic, payload, key="k1")
            self.assertIsInstance(seq, int)
            for col in (on_b, on_c):
                ev = col.wait_for(lambda e: e.type == "broadcast" and e.topic == topic,
                                  CONVERGE_S, f"broadcast {topic}")
                self.assertEqual(payload, ev.payload)
                self.assertIsNone(ev.text)
                self.assertEqual(self.a.id, ev.sender)
                self.assertEqual("k1", ev.key)
            self.ca.broadcast(topic + "-text", "héllo")
            ev = on_b.wait_for(lambda e: e.type == "broadcast" and e.topic == topic + "-text",
                               CONVERGE_S, "text broadcast")
            self.assertEqual("héllo", ev.text)
            self.assertEqual("héllo".encode(), ev.payload)
        finally:
            on_b.close()
            on_c.close()

    def test_send_delivers_a_direct_message(self):
        on_c = Collector(self.cc.events(types="user"))
        try:
            on_c.wait_for(lambda e: e.type == "snapshot", 10, "snapshot")
            self.assertTrue(self.ca.send(self.c.id, "direct", "hi c"))
            ev = on_c.wait_for(lambda e: e.type == "message" and e.topic == "direct", CONVERGE_S,
                               "message 'direct'")
            self.assertEqual(("hi c", self.a.id), (ev.text, ev.sender))
            self.assertTrue(self.ca.send(self.c.id, "direct-reliable", b"\x01\x02", reliable=True))
            ev = on_c.wait_for(lambda e: e.type == "message" and e.topic == "direct-reliable",
                               CONVERGE_S, "reliable message")
            self.assertEqual(b"\x01\x02", ev.payload)
        finally:
            on_c.close()

    def test_send_to_an_unknown_member_is_not_found(self):
        with self.assertRaises(NotFound) as cm:
            self.ca.send("no-such-member", "t", "x")
        e = cm.exception
        self.assertEqual(("not_found", 404), (e.code, e.status))
        self.assertTrue(e.message)

    def test_query_gets_answers_from_every_member_before_its_timeout(self):
        # c answers by itself (--respond); a and b answer through their event streams.
        responders = [Responder(self.a.client(), "ping", "pong from a"),
                      Responder(self.b.client(), "ping", "pong from b")]
        try:
            timeout = 15.0
            started = time.monotonic()
            with self.ca.query("ping", "are you there?", timeout=timeout, ack=True) as q:
                replies = list(q)
            elapsed = time.monotonic() - started
            summary = q.summary
            self.assertIsNotNone(summary)
            self.assertFalse(summary.timed_out, summary)
            self.assertLess(elapsed, timeout - 1, "the stream must end when all answered")
            expected = sorted([self.a.id, self.b.id, self.c.id])  # the asking agent included
            self.assertEqual(expected, sorted(summary.targeted))
            got = {r.sender: r.text for r in replies if r.type == "response"}
            self.assertEqual(expected, sorted(got))
            self.assertEqual(expected, sorted(summary.responded))
            self.assertEqual("pong from c", got[self.c.id])
            self.assertEqual("pong from b", got[self.b.id])
            self.assertEqual("pong from a", got[self.a.id])
            self.assertLessEqual({self.b.id, self.c.id}, set(summary.acked))
            self.assertEqual([], [r for r in responders if r.error])
        finally:
            for r in responders:
                r.close()

    def test_query_limited_to_members_and_metadata(self):
        q = self.ask_c(lambda: self.ca.query("ping", b"", timeout=10, members=[self.c.id]))
        self.assertEqual((self.c.id,), q.summary.targeted)
        self.assertEqual(["pong from c"], [r.text for r in q.responses], q.summary)
        q = self.ask_c(lambda: self.ca.query("ping", "", timeout=10, meta={"role": "web"},
                                             members=[self.c.id]))
        self.assertEqual((self.c.id,), q.summary.responded, q.summary)

    def ask_c(self, ask):
        """Runs a query to c; once more if c departed meanwhile (a false suspicion on a busy
        machine ends the query early: the cluster's doing, not the client's)."""
        q = ask()
        q.result()
        if self.c.id in q.summary.departed:
            sys.stderr.write(f"c departed during the query ({q.summary}); asking again\n")
            wait_until(lambda: self.c.id in [m.id for m in self.ca.members(status="ONLINE")],
                       CONVERGE_S, "a sees c ONLINE again")
            q = ask()
            q.result()
        return q

    def test_respond_to_an_unknown_query_is_not_found(self):
        with self.assertRaises(NotFound):
            self.ca.respond(f"{self.b.id}:999999", "late")

    def test_join_an_already_known_member(self):
        self.assertGreaterEqual(self.cb.join(self.c.gossip), 3)

    def test_stats(self):
        stats = self.ca.stats()
        self.assertIsInstance(stats, dict)
        self.assertTrue(stats)

    def test_keys_without_a_keyring(self):
        try:
            keys = self.ca.keys()
        except Conflict as e:  # the agent runs without a keyring
            self.assertEqual("no_keyring", e.code)
        else:
            self.assertIn("nodes", keys)

    def test_force_leave_of_an_online_member_is_refused(self):
        skip_without_force_leave(self, self.ca, self.b.id)
        with self.assertRaises(Conflict) as cm:
            self.ca.force_leave(self.b.id)
        self.assertEqual(409, cm.exception.status)
        with self.assertRaises(NotFound):
            self.ca.force_leave("no-such-member")

    def test_unreachable_agent(self):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with self.assertRaises(AgentUnreachable):
            Agent(f"http://127.0.0.1:{port}", timeout=2).members()


def skip_without_force_leave(test: unittest.TestCase, agent: Agent, online_id: str) -> None:
    """Skips ``test`` when the agent was built without GossipNode.forceLeave (503)."""
    try:
        agent.force_leave(online_id)
    except Unavailable as e:
        test.skipTest(f"the agent has no force-leave in this build: {e.message}")
    except Conflict:
        pass  # supported: an ONLINE member cannot be forced out


class Responder:
    """Answers queries named ``name`` through ``agent``'s event stream, on a thread."""

    def __init__(self, agent: Agent, name: str, answer: str):
        self.agent, self.name, self.answer = agent, name, answer
        self.error: Optional[BaseException] = None
        self.stream = agent.events(types="query")
        first = next(self.stream)
        assert first.type == "snapshot", first
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for ev in self.stream:
                if ev.type == "query" and ev.name == self.name:
                    self.agent.respond(ev, self.answer)
        except BaseException as e:  # noqa: BLE001 - checked by the test
            self.error = e

    def close(self) -> None:
        self.stream.close()
        self._thread.join(10)


class LeaveTest(unittest.TestCase):
    """leave() and force_leave() on extra agents, so the 3-agent cluster stays as it is."""

    def test_leave_ends_the_agent_and_the_others_see_it_left(self):
        a = proc("py-a")
        d = start_agent("py-d", ["--join", a.gossip])
        ca = a.client()
        wait_until(lambda: any(m.id == d.id and m.status == "ONLINE" for m in ca.members()),
                   CONVERGE_S, "a sees d ONLINE")
        self.assertTrue(d.client().leave(timeout=5))
        self.assertEqual(0, d.wait_exit(20), "the agent exits 0 after leave")
        wait_until(lambda: all(m.status == "LEFT" for m in ca.members() if m.id == d.id),
                   CONVERGE_S, "a sees d LEFT (or forgot it)")
        with self.assertRaises(AgentUnreachable):
            d.client().self()

    def test_force_leave_of_a_failed_member(self):
        a = proc("py-a")
        ca = a.client()
        skip_without_force_leave(self, ca, proc("py-b").id)
        e = start_agent("py-e", ["--join", a.gossip])
        wait_until(lambda: any(m.id == e.id and m.status == "ONLINE" for m in ca.members()),
                   CONVERGE_S, "a sees e ONLINE")
        e.kill(signal.SIGKILL)
        e.wait_exit(10)
        wait_until(lambda: any(m.id == e.id and m.status == "FAILED" for m in ca.members()),
                   60, "a sees e FAILED")
        result = ca.force_leave(e.id)
        self.assertEqual({"id": e.id, "status": "LEFT"},
                         {"id": result["id"], "status": result["status"]})
        wait_until(lambda: all(m.status == "LEFT" for m in ca.members() if m.id == e.id),
                   CONVERGE_S, "a shows e LEFT")


if __name__ == "__main__":
    unittest.main()
