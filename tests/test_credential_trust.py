"""Credentials go only to trusted hosts: Sinch's, or hosts named outside the repository.

A pull request can change ``waform.yaml``; if its ``baseUrl``/``tokenUrl`` chose where the key
goes, any pull request could collect it. These tests point a target at a real listener that is
not trusted and check that it receives not even a TCP connection — and, as the control that makes
that check able to fail, that the same listener is reached once it is trusted.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import run_waform
from waform.config.trust import TRUSTED_HOSTS_ENV, HostTrust
from waform.errors import ConfigError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SECRET = "s3cret-never-sent-4711"
UNAUTHORIZED = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Listener:
    """A TCP listener on loopback that counts the connections it accepts and answers each with
    401 (an answer waform does not retry)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.received = b""
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.settimeout(2)
            try:
                self.received += conn.recv(65536)
                conn.sendall(UNAUTHORIZED)
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    served = Listener()
    yield served
    served.close()


def _project(tmp_path: Path, target: str) -> Path:
    project = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "templates", project / "templates")
    (project / "waform.yaml").write_text(f"defaultTarget: pr\ntargets:\n  pr:\n{target}")
    return project


def _waform(
    project: Path, *args: str, trusted: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != TRUSTED_HOSTS_ENV}
    env.update(SINCH_KEY_ID="key-id-1", SINCH_KEY_SECRET=SECRET)
    if trusted is not None:
        env[TRUSTED_HOSTS_ENV] = trusted
    return run_waform(project, *args, env=env, timeout=120)


BASE_URL_TARGET = (
    "    type: sinch\n"
    "    projectId: p1\n"
    "    baseUrl: http://127.0.0.1:{port}\n"
    "    auth: {{type: basic}}\n"
)
TOKEN_URL_TARGET = (
    "    type: sinch\n"
    "    projectId: p1\n"
    "    auth:\n"
    "      type: oauth2\n"
    "      tokenUrl: http://127.0.0.1:{port}/oauth2/token\n"
)

COMMANDS = [
    ("plan", "templates"),
    ("apply", "templates", "--auto-approve"),
    ("drift", "templates"),
    ("import", "imported"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_untrusted_base_url_gets_no_connection_and_a_placed_error(
    tmp_path: Path, listener: Listener, command: tuple[str, ...]
) -> None:
    project = _project(tmp_path, BASE_URL_TARGET.format(port=listener.port))
    result = _waform(project, *command)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: waform.yaml:6:14: targets.pr.baseUrl: host 127.0.0.1 is not trusted with "
        f"credentials (only *.sinch.com is); if it is yours, trust it outside the repository: "
        f"{TRUSTED_HOSTS_ENV}=127.0.0.1 or --trust-host 127.0.0.1"
    ], result.stderr
    assert "Traceback" not in result.stderr and SECRET not in result.stderr + result.stdout
    assert listener.accepted == 0
    assert not (project / "imported").exists()


def test_an_untrusted_token_url_gets_no_connection(tmp_path: Path, listener: Listener) -> None:
    project = _project(tmp_path, TOKEN_URL_TARGET.format(port=listener.port))
    result = _waform(project, "plan", "templates")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: waform.yaml:8:17: targets.pr.auth.tokenUrl: host 127.0.0.1 is not trusted"
    ), result.stderr
    assert listener.accepted == 0


@pytest.mark.parametrize(
    ("trusted", "flags"),
    [
        ("127.0.0.1", ()),
        (None, ("--trust-host", "127.0.0.1", "plan", "templates")),
        (None, ("plan", "templates", "--trust-host", "127.0.0.1")),
        ("example.com, 127.0.0.1", ()),
    ],
    ids=["environment", "flag-before", "flag-after", "list"],
)
def test_a_host_trusted_from_outside_the_repository_is_reached(
    tmp_path: Path, listener: Listener, trusted: str | None, flags: tuple[str, ...]
) -> None:
    # The control: the listener above would have seen a request, had waform sent one.
    project = _project(tmp_path, BASE_URL_TARGET.format(port=listener.port))
    result = _waform(project, *(flags or ("plan", "templates")), trusted=trusted)
    assert result.returncode == 1  # the listener answers 401
    assert "not trusted" not in result.stderr
    assert listener.accepted >= 1
    assert b"Authorization: Basic" in listener.received
    assert SECRET not in result.stderr + result.stdout


class _Redirecting(http.server.BaseHTTPRequestHandler):
    location = ""

    def do_GET(self) -> None:
        self.send_response(307)
        self.send_header("Location", self.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_redirect_is_not_followed_so_it_carries_no_credentials(
    tmp_path: Path, listener: Listener
) -> None:
    _Redirecting.location = f"http://127.0.0.1:{listener.port}/steal"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        project = _project(tmp_path, BASE_URL_TARGET.format(port=server.server_port))
        result = _waform(project, "plan", "templates", trusted="127.0.0.1")
    finally:
        server.shutdown()
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "307" in result.stderr and "Traceback" not in result.stderr
    assert listener.accepted == 0


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://provisioning.api.sinch.com", True),
        ("https://auth.sinch.com/oauth2/token", True),
        ("https://sinch.com", True),
        ("https://us.provisioning.api.sinch.com.", True),
        ("https://API.SINCH.COM", True),
        ("http://provisioning.api.sinch.com", False),
        ("https://sinch.com.evil.example", False),
        ("https://evilsinch.com", False),
        ("https://provisioning.api.sinch.com@evil.example", False),
        ("https://evil.example#@provisioning.api.sinch.com", False),
        ("https://evil.example\\@provisioning.api.sinch.com", False),
        ("http://127.0.0.1:8080", False),
        ("https://[::1]:8443", False),
    ],
)
def test_only_sinch_https_hosts_are_trusted_by_default(url: str, trusted: bool) -> None:
    assert (HostTrust().refusal(url) is None) is trusted


@pytest.mark.parametrize(
    ("patterns", "url", "trusted"),
    [
        ("api.example.com", "https://api.example.com/x", True),
        ("api.example.com", "https://other.example.com", False),
        ("*.example.com", "https://a.b.example.com", True),
        ("*.example.com", "https://example.com", False),
        ("*.example.com", "https://badexample.com", False),
        ("127.0.0.1", "http://127.0.0.1:9", True),
        ("::1", "http://[::1]:9", True),
        ("[::1]", "http://[::1]:9", True),
        ("localhost", "http://127.0.0.1:9", False),
    ],
)
def test_hosts_named_in_the_environment_are_trusted(patterns: str, url: str, trusted: bool) -> None:
    trust = HostTrust.from_sources(environ={TRUSTED_HOSTS_ENV: patterns})
    assert (trust.refusal(url) is None) is trusted


@pytest.mark.parametrize("bad", ["https://api.example.com", "*.com", "*", "a_b.example", "x:443"])
def test_a_pattern_that_is_not_a_host_is_refused_naming_its_source(bad: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{TRUSTED_HOSTS_ENV}: .* is not a host name"):
        HostTrust.from_sources(environ={TRUSTED_HOSTS_ENV: bad})
    with pytest.raises(ConfigError, match=r"^--trust-host: .* is not a host name"):
        HostTrust.from_sources([bad], environ={})


def test_a_bad_trust_flag_is_a_one_line_error(tmp_path: Path) -> None:
    project = _project(tmp_path, "    type: local\n")
    result = _waform(project, "plan", "templates", "--trust-host", "https://x.example")
    assert result.returncode == 1
    assert result.stderr.startswith("error: --trust-host: 'https://x.example' is not a host name")
