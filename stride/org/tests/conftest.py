"""Fixtures of the org tests: invitations are sent by tasks, run at once here."""

from stride.notify.tests.conftest import immediate_tasks

__all__ = ["immediate_tasks"]
