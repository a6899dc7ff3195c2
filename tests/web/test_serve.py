"""``preplan serve`` runs the app under gunicorn (a production server), with the timer worker beside it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from tests.conftest import FIXTURES


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def preplan(url: str, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "engine.cli", "--database-url", url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


def test_serve_answers_through_gunicorn_and_stops_cleanly_with_its_timer_worker(sqlite_url, tmp_path):
    assert preplan(sqlite_url, "deploy", str(FIXTURES / "processes" / "mini_complaint")).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine.cli",
            "--database-url",
            sqlite_url,
            "serve",
            "--port",
            str(port),
            "--threads",
            "2",
            "--worker",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # waiting for the server to listen is not a timing assertion
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert response.status == 200 and "Content-Security-Policy" in response.headers
        assert response.headers["Server"].startswith("gunicorn")
        children = subprocess.run(
            ["pgrep", "-f", "-g", str(os.getpgid(server.pid)), "engine.cli .* worker$"], capture_output=True, text=True
        ).stdout.split()
        assert children, "the timer worker runs beside the web server"
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]
    assert server.returncode == 0, output
    assert "Booting worker" in output


def test_several_processes_need_shared_login_counters(sqlite_url):
    env = {k: v for k, v in os.environ.items() if k != "PREPLAN_RATELIMIT_STORAGE"}
    result = preplan(sqlite_url, "serve", "--workers", "3", env=env)
    assert result.returncode == 1
    error = json.loads(result.stdout) if result.stdout.strip() else {"message": result.stderr}
    assert "PREPLAN_RATELIMIT_STORAGE" in error["message"]
