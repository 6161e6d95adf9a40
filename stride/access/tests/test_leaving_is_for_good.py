"""Leaving is for good: a person set to *left* and later reactivated does not get their old
sessions or personal access tokens back; they log in afresh and make new tokens."""

from __future__ import annotations

from django.test import Client

from stride.access.models import AccessToken, AuditEntry
from stride.access.services import token_create
from stride.org import services as org
from stride.org.importer import people_import
from stride.testing import PASSWORD, Cast


def set_status(cast: Cast, email: str, status: str) -> None:
    text = f"email,name,status\n{email},Alice Report,{status}\n"
    report = people_import(actor=cast.viewer(cast.hr), file=text.encode())
    assert not report.errors


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_an_old_token_stays_dead_after_leaving_and_coming_back(cast: Cast) -> None:
    _token, secret = token_create(viewer=cast.viewer(cast.alice), name="laptop")
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 200  # type: ignore[arg-type]
    set_status(cast, "alice@example.com", "left")
    set_status(cast, "alice@example.com", "active")
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401  # type: ignore[arg-type]
    token = AccessToken.objects.get(owner=cast.alice)
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action="token.revoke", target_id=str(token.pk))
    assert entry.changes == {"reason": "left"}
    assert entry.actor_label == "hr@example.com"


def test_an_old_session_stays_logged_out_after_leaving_and_coming_back(cast: Cast) -> None:
    old = Client()
    old.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert old.get("/goals/").status_code == 200
    set_status(cast, "alice@example.com", "left")
    set_status(cast, "alice@example.com", "active")
    response = old.get("/goals/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert old.get("/api/v1/me").status_code == 401


def test_after_coming_back_a_new_login_and_a_new_token_work(cast: Cast) -> None:
    token_create(viewer=cast.viewer(cast.alice), name="before")
    set_status(cast, "alice@example.com", "left")
    set_status(cast, "alice@example.com", "active")
    fresh = Client()
    fresh.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert fresh.get("/goals/").status_code == 200
    _token, secret = token_create(viewer=cast.viewer(cast.alice), name="after")
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 200  # type: ignore[arg-type]


def test_leaving_ends_no_one_else_s_session_or_token(cast: Cast) -> None:
    _token, secret = token_create(viewer=cast.viewer(cast.bob), name="bob's")
    bob = cast.client(cast.bob)
    set_status(cast, "alice@example.com", "left")
    assert bob.get("/goals/").status_code == 200
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 200  # type: ignore[arg-type]


def test_someone_created_as_left_has_no_working_login(cast: Cast) -> None:
    person = org.person_create(
        actor=cast.viewer(cast.hr),
        name="Gone Already",
        email="gone@example.com",
        status="left",
        password=PASSWORD,
    )
    assert person.user is not None
    person.user.refresh_from_db()
    assert not person.user.is_active
    assert person.user.session_epoch == 1
