"""``stride serve`` and ``stride demo`` as a user runs them: real gunicorn and worker
processes on a free port, stopped with a signal."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stride.demo.management.commands import serve as serve_command
from stride.demo.processes import Child


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _capture(monkeypatch: pytest.MonkeyPatch, code: int = 0) -> list[Sequence[Child]]:
    # Starting processes is the boundary here: record what would run.
    calls: list[Sequence[Child]] = []

    def fake(children: Sequence[Child], **kwargs: object) -> int:
        calls.append(children)
        return code

    monkeypatch.setattr(serve_command, "supervise", fake)
    return calls


def _option(argv: Sequence[str], name: str) -> str:
    return argv[list(argv).index(name) + 1]


def test_serve_takes_its_defaults_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    calls = _capture(monkeypatch)
    call_command("serve")
    (web,) = calls[0]
    assert _option(web.argv, "--bind") == "0.0.0.0:9123"
    assert _option(web.argv, "--workers") == "5"


def test_serve_options_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9123")
    calls = _capture(monkeypatch)
    call_command("serve", "--host", "127.0.0.1", "--port", "8111", "--workers", "1")
    (web,) = calls[0]
    assert _option(web.argv, "--bind") == "127.0.0.1:8111"
    assert _option(web.argv, "--workers") == "1"


def test_serve_defaults_to_localhost_port_8000_and_two_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HOST", "PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    calls = _capture(monkeypatch)
    call_command("serve")
    (web,) = calls[0]
    assert _option(web.argv, "--bind") == "127.0.0.1:8000"
    assert _option(web.argv, "--workers") == "2"


def test_serve_fails_when_the_web_server_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    _capture(monkeypatch, code=3)
    with pytest.raises(CommandError) as error:
        call_command("serve", "--port", "8111")
    assert error.value.returncode == 3


def test_serve_rejects_a_port_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _capture(monkeypatch)
    with pytest.raises(CommandError, match="--port"):
        call_command("serve", "--port", "70000")
    assert calls == []


# --- End to end ------------------------------------------------------------------------


def _env(tmp_path: Path, port: int, extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    # A data directory of its own, on SQLite: this is about processes, not databases.
    env.pop("DATABASE_URL", None)
    env.pop("WEB_CONCURRENCY", None)
    env.update(STRIDE_DATA_DIR=str(tmp_path), PORT=str(port), PYTHONUNBUFFERED="1", **extra)
    return env


def _stride() -> list[str]:
    return [sys.executable, "-m", "stride.cli"]


def _start(argv: list[str], tmp_path: Path, port: int, **extra: str) -> subprocess.Popen[bytes]:
    # Output goes to a file: a pipe nobody reads would fill up and block the server.
    log = (tmp_path / "output.log").open("wb")
    return subprocess.Popen(argv, env=_env(tmp_path, port, extra), stdout=log, stderr=log)


def _output(tmp_path: Path) -> str:
    return (tmp_path / "output.log").read_text(errors="replace")


def _wait_for(url: str, proc: subprocess.Popen[bytes], tmp_path: Path) -> int:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"stopped early with {proc.returncode}:\n{_output(tmp_path)[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return int(response.status)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            # Not up yet, or slow to answer on a busy machine: look again until the deadline.
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer")


def _stop(proc: subprocess.Popen[bytes], sig: signal.Signals, tmp_path: Path) -> tuple[int, str]:
    proc.send_signal(sig)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, _output(tmp_path)


def _nothing_listens_on(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def test_stride_serve_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    proc = _start([*_stride(), "serve", "--port", str(port), "--workers", "1"], tmp_path, port)
    assert _wait_for(f"http://127.0.0.1:{port}/healthz", proc, tmp_path) == 200
    code, out = _stop(proc, signal.SIGTERM, tmp_path)
    assert code == 0, out
    assert _nothing_listens_on(port)


def test_stride_demo_serves_the_logins_and_ctrl_c_stops_server_and_worker(
    tmp_path: Path,
) -> None:
    port = _free_port()
    proc = _start(
        [*_stride(), "demo", "--people", "40", "--weeks", "2"],
        tmp_path,
        port,
        WEB_CONCURRENCY="3",
    )
    base = f"http://127.0.0.1:{port}"
    assert _wait_for(f"{base}/healthz", proc, tmp_path) == 200
    # Sign in as a new user would, through the login form.
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/accounts/login/") as response:
        page = response.read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1), "login": "manager@example.com", "password": "demo"}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=form, headers={"Referer": base}
    )
    with opener.open(request) as response:
        landed = response.geturl()
    assert "/accounts/login" not in landed
    code, out = _stop(proc, signal.SIGINT, tmp_path)
    assert code == 0, out
    assert "manager@example.com" in out
    # The logins come after the web server's and the worker's start-up lines.
    assert out.index("Listening at") < out.index("manager@example.com")
    # The worker runs quietly: no start and end line for each task it runs.
    assert "Task id=" not in out and "Scheduled checkin-reminders" not in out
    assert "Received SIGINT" in out
    # gunicorn started as many workers as WEB_CONCURRENCY asked for (it logs each one).
    assert len(re.findall(r"Booting worker with pid: \d+", out)) == 3
    assert _nothing_listens_on(port)
