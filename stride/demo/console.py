"""Rich output for management commands that also works under ``call_command(stdout=…)``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import OutputWrapper
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from stride.demo.generator import ProgressCallback


class _Stream:
    """Django's ``OutputWrapper`` appends a newline to every write; rich writes pieces."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> int:
        self._wrapper.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self._wrapper.flush()

    def isatty(self) -> bool:
        return bool(self._wrapper.isatty())


def console_for(stdout: OutputWrapper) -> Console:
    return Console(file=_Stream(stdout), highlight=False)  # type: ignore[arg-type]


@contextmanager
def progress_bars(console: Console) -> Iterator[ProgressCallback]:
    """A ``progress(stage, done, total)`` callback drawing one bar per stage."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total)
            bars.update(tasks[stage], completed=done, total=total)

        yield update
