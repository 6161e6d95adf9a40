"""Fixtures of the org tests: invitations are sent by tasks (run at once where a test asks),
and files kept for the import's mapping step go to a temporary directory."""

from pathlib import Path
from typing import Any

import pytest

from stride.notify.tests.conftest import immediate_tasks

__all__ = ["immediate_tasks"]


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
