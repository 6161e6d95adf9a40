"""``stride demo``: loads the demo organisation once and prints the logins."""

from __future__ import annotations

from collections.abc import Sequence
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stride.demo.management.commands import demo as demo_command
from stride.demo.processes import Child
from stride.goals.models import CheckIn, KeyResultUpdate, Objective
from stride.org import services as org
from stride.org.models import Person

LOGINS = [
    "hr@example.com",
    "manager@example.com",
    "employee@example.com",
    "peer@example.com",
    "partner@example.com",
    "salesmanager@example.com",
    "rep@example.com",
]


def _run(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Objective.objects.count(),
        CheckIn.objects.count(),
        KeyResultUpdate.objects.count(),
    )


@pytest.mark.django_db
def test_loading_twice_keeps_one_copy_of_the_demo() -> None:
    first = _run()
    loaded = _counts()
    second = _run()
    assert loaded[0] == 150 and loaded[2] > 0
    assert _counts() == loaded
    assert "Loaded 150 people" in first
    assert "already loaded" in second and "Loaded" not in second


@pytest.mark.django_db
def test_it_prints_every_login_with_its_password_and_the_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", "8123")
    output = _run("--people", "40", "--weeks", "2")
    for email in LOGINS:
        line = next(line for line in output.splitlines() if email in line)
        assert "demo" in line.replace(email, "")
    assert "http://127.0.0.1:8123/" in output
    assert "Manager of" in output


@pytest.mark.django_db
def test_the_seed_and_size_options_shape_the_organisation() -> None:
    _run("--people", "60", "--weeks", "2", "--seed", "5")
    assert Person.objects.count() == 60
    assert CheckIn.objects.values("week_start").distinct().count() <= 2


@pytest.mark.django_db
def test_it_refuses_to_mix_the_demo_into_a_real_organisation() -> None:
    org.person_create(actor=None, name="Real Person", email="real@example.org")
    with pytest.raises(CommandError, match="empty one"):
        _run()
    assert list(Person.objects.values_list("email", flat=True)) == ["real@example.org"]


@pytest.mark.django_db
def test_it_explains_when_the_organisation_is_too_small() -> None:
    with pytest.raises(CommandError, match="at least"):
        _run("--people", "5")
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_bad_port_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(CommandError, match="PORT"):
        _run()


def test_the_roles_table_covers_every_demo_login() -> None:
    assert list(demo_command.ROLES) == LOGINS


def _serve(monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[Sequence[Child]]]:
    """Run ``stride demo`` serving, with the start of processes recorded instead: the
    recording answers "ready" at once, as a web server would once it is up."""
    calls: list[Sequence[Child]] = []
    out = StringIO()

    def fake(children: Sequence[Child], **kwargs: object) -> int:
        calls.append(children)
        out.write("(processes started)\n")
        when_ready = kwargs["when_ready"]
        assert callable(when_ready)
        when_ready()
        return 0

    monkeypatch.setattr(demo_command, "supervise", fake)
    call_command("demo", "--people", "40", "--weeks", "2", stdout=out)
    return out.getvalue(), calls


@pytest.mark.django_db
def test_the_web_server_and_worker_link_e_mails_to_the_served_port_and_write_them_to_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    _, calls = _serve(monkeypatch)
    (children,) = calls
    assert [child.name for child in children] == ["web server", "worker"]
    for child in children:
        assert child.environment()["SITE_URL"] == "http://127.0.0.1:8123"
        assert child.environment()["EMAIL_BACKEND"] == "stride.demo.mail.EmailBackend"


@pytest.mark.django_db
def test_the_administrators_address_and_mail_backend_are_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("SITE_URL", "https://stride.example.com")
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    _, calls = _serve(monkeypatch)
    for child in calls[0]:
        assert child.environment()["SITE_URL"] == "https://stride.example.com"
        assert child.environment()["EMAIL_BACKEND"].endswith("smtp.EmailBackend")


@pytest.mark.django_db
def test_the_logins_are_printed_last_once_the_processes_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    output, _ = _serve(monkeypatch)
    started = output.index("(processes started)")
    assert "E-mails are written to" in output[:started]
    assert started < output.index("manager@example.com")
    assert output.rstrip().endswith("sign in with any login above.")
