"""Production serving, for real: gunicorn with the repository's settings (app/serving.py)
starts its workers on a fresh database and answers over HTTP, and its access log names each
request."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """gunicorn with two workers on a migrated SQLite file; its URL, then its output."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serving.db'}",
           "ORDERDESK_ENV": "development", "PORT": str(port), "WEB_CONCURRENCY": "2"}
    env.pop("PYTEST_XDIST_WORKER", None)
    subprocess.run([BIN / "flask", "--app", "app", "db", "upgrade"], env=env, check=True,
                   capture_output=True, cwd=tmp_path)  # fmt: skip
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [BIN / "gunicorn", "-c", "python:app.serving", "app:create_app()"], env=env,
            stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).parent.parent,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        yield url, log
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def get(url: str) -> tuple[int, dict]:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, json.load(response)
        except (ConnectionError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_gunicorn_serves_the_app_with_the_repositorys_settings(served):
    url, log = served
    status, health = get(f"{url}/healthz")
    assert (status, health["status"], health["database"]) == (200, "ok", "ok")
    assert logged(log, "Booting worker", 2) == 2
    assert logged(log, '"GET /healthz HTTP/1.1" 200', 1) == 1


def logged(log: Path, text: str, least: int) -> int:
    """How often ``text`` is in the log once it is there ``least`` times, or after 5 s (the
    access line is written after the answer went out, a second worker may boot later)."""
    deadline = time.monotonic() + 5
    while log.read_text().count(text) < least and time.monotonic() < deadline:
        time.sleep(0.05)
    return log.read_text().count(text)
