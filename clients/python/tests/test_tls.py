"""The client against an agent that serves its API over HTTPS and requires client certificates.

setUpModule makes a CA, a server certificate for 127.0.0.1 and a client certificate with
``openssl`` (as docs/agent.md shows), then starts one ``./gossip agent`` with ``--http-tls-cert``,
``--http-tls-key`` and ``--http-tls-ca``. Skipped when openssl is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))
sys.path.insert(0, HERE)

from libgossip import Agent, AgentUnreachable  # noqa: E402
from test_cluster import FIRST_START_S, AgentProcess  # noqa: E402

WORKDIR = ""
AGENT: "AgentProcess | None" = None


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], cwd=WORKDIR, check=True, timeout=60,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_certificates() -> None:
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-days", "2", "-subj", "/CN=py-test CA",
            "-keyout", "ca-key.pem", "-out", "ca.pem")
    with open(os.path.join(WORKDIR, "san.ext"), "w", encoding="ascii") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for who in ("agent", "client"):
        openssl("req", *ec, "-subj", f"/CN={who}", "-keyout", f"{who}-key.pem", "-out", f"{who}.csr")
        openssl("x509", "-req", "-in", f"{who}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
                "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", f"{who}.pem")


def path(name: str) -> str:
    return os.path.join(WORKDIR, name)


def setUpModule() -> None:
    global WORKDIR, AGENT
    if shutil.which("openssl") is None:
        raise unittest.SkipTest("openssl is not installed")
    WORKDIR = tempfile.mkdtemp(prefix="libgossip-py-tls-")
    make_certificates()
    AGENT = AgentProcess("py-tls", WORKDIR, [
        "--http-tls-cert", path("agent.pem"), "--http-tls-key", path("agent-key.pem"),
        "--http-tls-ca", path("ca.pem")])
    try:
        AGENT.wait_ready(FIRST_START_S)
    except BaseException:
        AGENT.stop()
        raise


def tearDownModule() -> None:
    if AGENT is not None:
        AGENT.stop()
    if WORKDIR:
        shutil.rmtree(WORKDIR, ignore_errors=True)


class TlsTest(unittest.TestCase):
    def client(self, **kw) -> Agent:
        assert AGENT is not None
        return Agent(AGENT.http, timeout=10, **kw)

    def test_the_ready_file_names_an_https_url(self):
        assert AGENT is not None
        self.assertTrue(AGENT.http.startswith("https://127.0.0.1:"), AGENT.http)

    def test_a_client_certificate_from_the_agents_ca_is_let_in(self):
        a = self.client(ca_file=path("ca.pem"), cert_file=path("client.pem"),
                        key_file=path("client-key.pem"))
        me = a.self()
        assert AGENT is not None
        self.assertEqual(me.id, AGENT.id)
        self.assertEqual([m.id for m in a.members()], [AGENT.id])
        stream = a.events()
        stream.close()

    def test_without_a_client_certificate_the_handshake_is_refused(self):
        with self.assertRaises(AgentUnreachable):
            self.client(ca_file=path("ca.pem")).self()

    def test_an_untrusted_agent_certificate_is_refused(self):
        with self.assertRaises(AgentUnreachable):
            self.client(cert_file=path("client.pem"), key_file=path("client-key.pem")).self()

    def test_a_certificate_without_its_key_is_a_usage_error(self):
        with self.assertRaises(ValueError):
            self.client(ca_file=path("ca.pem"), cert_file=path("client.pem"))

    def test_the_environment_supplies_the_files(self):
        env = {"GOSSIP_HTTP_CA": path("ca.pem"), "GOSSIP_HTTP_CLIENT_CERT": path("client.pem"),
               "GOSSIP_HTTP_CLIENT_KEY": path("client-key.pem")}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            assert AGENT is not None
            self.assertEqual(self.client().self().id, AGENT.id)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


if __name__ == "__main__":
    unittest.main()
