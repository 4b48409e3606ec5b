"""gunicorn's own trust in forwarded scheme headers follows TRUST_X_FORWARDED_PROTO.

Django decides is_secure() from wsgi.url_scheme unless SECURE_PROXY_SSL_HEADER is set,
and gunicorn sets that scheme from X-Forwarded-Proto/-Ssl/-Protocol sent from loopback
by default: a client on the host could fake HTTPS. Production settings answer a plain
request with a 301 to https://, so "301" means "not taken for HTTPS".
"""

import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.security.conftest import ROOT, production_env

HOST = "clinic.example.org"  # production_env's ALLOWED_HOSTS
FORWARDED_SCHEME_HEADERS = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Ssl": "on",
    "X-Forwarded-Protocol": "ssl",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _gunicorn(**env_changes: str | None) -> Iterator[int]:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "config/gunicorn.conf.py",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=production_env(**env_changes),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()


def _status(port: int, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/login/", headers={"Host": HOST, **headers})
        return connection.getresponse().status
    finally:
        connection.close()


def test_it_trusts_no_forwarded_scheme_header_when_not_told_to__f13():
    with _gunicorn(TRUST_X_FORWARDED_PROTO=None) as port:
        assert _status(port, {}) == 301
        for name, value in FORWARDED_SCHEME_HEADERS.items():
            assert _status(port, {name: value}) == 301, name


def test_it_trusts_only_x_forwarded_proto_when_told_to__f13():
    with _gunicorn(TRUST_X_FORWARDED_PROTO="true") as port:
        assert _status(port, {"X-Forwarded-Proto": "https"}) == 200
        assert _status(port, {"X-Forwarded-Ssl": "on"}) == 301
        assert _status(port, {"X-Forwarded-Protocol": "ssl"}) == 301


@pytest.mark.parametrize("path", ["README.md", "bench/pages.py"])
def test_it_starts_gunicorn_with_the_config_file__f13(path):
    text = (ROOT / path).read_text()
    assert "gunicorn" in text
    assert "config/gunicorn.conf.py" in text
