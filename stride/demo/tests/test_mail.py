"""The demo's e-mail backend: messages land in files under ``EMAIL_FILE_PATH``, with one
line each in the log, and their links use the address the demo serves."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from stride.demo.management.commands.demo import DEMO_EMAIL_BACKEND, demo_environment
from stride.goals.checkins import services
from stride.testing import Cast, check_in


def test_an_e_mail_lands_in_the_folder_with_links_on_the_served_port(
    cast: Cast,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    env = demo_environment(host="127.0.0.1", port=8123, environ={})
    checkin = check_in(cast, cast.alice)
    folder = tmp_path / "mail"
    with (
        override_settings(
            EMAIL_BACKEND=env["EMAIL_BACKEND"],
            EMAIL_FILE_PATH=str(folder),
            SITE_URL=env["SITE_URL"],
        ),
        caplog.at_level(logging.INFO, logger="stride.demo.mail"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.checkin_comment_add(
            viewer=cast.viewer(cast.manager), checkin=checkin, body="Nice progress!"
        )
    (written,) = folder.iterdir()
    text = written.read_text()
    assert "To: alice@example.com" in text
    assert f"http://127.0.0.1:8123/check-ins/{checkin.pk}/" in text
    assert "Nice progress!" not in text
    (line,) = [r.getMessage() for r in caplog.records if r.name == "stride.demo.mail"]
    assert "alice@example.com" in line and "Mia Manager commented" in line
    assert "\n" not in line
    assert mail.outbox == []  # it went to the file, not to the test outbox


def test_the_demo_backend_is_only_chosen_when_the_administrator_chose_none() -> None:
    assert demo_environment(host="127.0.0.1", port=8123, environ={}) == {
        "SITE_URL": "http://127.0.0.1:8123",
        "EMAIL_BACKEND": DEMO_EMAIL_BACKEND,
    }
    assert (
        demo_environment(
            host="127.0.0.1",
            port=8123,
            environ={"SITE_URL": "https://x.example", "EMAIL_BACKEND": "b"},
        )
        == {}
    )
