"""Child processes for ``stride demo`` and ``stride serve``: started together, stopped
together.

The supervisor keeps one rule: the children live and die as a group. Ctrl-C (SIGINT) or
SIGTERM stops every child and returns 0; a child that exits on its own takes the others
down with it and the supervisor returns non-zero, so ``make demo`` never leaves a web
server running without its worker (or the other way round).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType


@dataclass(frozen=True)
class Child:
    """A program to run; ``env`` is added to (and wins over) the supervisor's environment."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        return {**os.environ, **self.env}


def _script(name: str) -> Path:
    """A console script installed next to the running interpreter (the virtualenv's bin)."""
    return Path(sys.executable).parent / name


def gunicorn_command(*, host: str, port: int, workers: int) -> list[str]:
    """The production web server serving Stride's WSGI application."""
    script = _script("gunicorn")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "gunicorn"]
    return [
        *base,
        "stride.wsgi",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        # gunicorn's largest bounded request line (its default, 4094, answers an
        # undocumented 414 to a search URL with a few long, percent-encoded terms before
        # Stride can answer 422 naming the parameter). A proxy in front may set its own.
        "--limit-request-line",
        "8190",
        "--access-logfile",
        "-",
    ]


def worker_command(*, verbosity: int = 1) -> list[str]:
    """``stride worker``, through the same installation as the running command; with
    ``verbosity`` 0 it logs warnings only (no line per task run or schedule slot)."""
    script = _script("stride")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "stride.cli"]
    return [*program, "worker", "--verbosity", str(verbosity)]


def supervise(
    children: Sequence[Child],
    *,
    say: Callable[[str], None] = print,
    poll_seconds: float = 0.2,
    grace_seconds: float = 15.0,
    ready: Callable[[], bool] | None = None,
    when_ready: Callable[[], None] | None = None,
) -> int:
    """Run ``children`` until a signal or one child's exit; stop them all; return the code.

    Returns 0 after SIGINT or SIGTERM, otherwise the exit code of the child that ended
    first (1 when that child ended with 0: a server is not meant to end by itself).

    ``when_ready`` runs once, the first time ``ready()`` is true (both are asked between
    polls, so a child that dies while the others start is still noticed at once)."""
    received: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    running: list[tuple[Child, subprocess.Popen[bytes]]] = []
    code = 0
    try:
        for child in children:
            if received:
                break
            running.append(
                (child, subprocess.Popen(list(child.argv), env=child.environment()))  # noqa: S603
            )
        announced = False
        while not received:
            ended = next(((c, p) for c, p in running if p.poll() is not None), None)
            if ended is not None:
                # With Ctrl-C in a terminal the children get SIGINT too and may exit just
                # before our own handler has run: that is a requested stop, not a crash.
                time.sleep(poll_seconds)
                if received:
                    break
                child, proc = ended
                say(f"The {child.name} stopped (exit code {proc.returncode}); stopping the rest.")
                code = proc.returncode or 1
                break
            if not announced and when_ready is not None and (ready is None or ready()):
                announced = True
                when_ready()
            time.sleep(poll_seconds)
        if received:
            say(f"Received {signal.Signals(received[0]).name}; stopping.")
    finally:
        _stop(running, grace_seconds)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def _stop(running: Sequence[tuple[Child, subprocess.Popen[bytes]]], grace: float) -> None:
    for _, proc in running:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + grace
    for _, proc in running:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
