"""Helpers shared by the notify tests (and by the apps that test their own registrations)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import pytest

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    # Tasks run as soon as they are enqueued, so the mail a sweep queues is in the outbox
    # when its on-commit callbacks have run.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
