from __future__ import annotations

import json

from allauth.mfa.models import Authenticator
from django.test import Client

from stride.access.models import AccessToken
from stride.org.importer import people_import
from stride.testing import PASSWORD, Cast


def leave(cast: Cast, email: str) -> None:
    text = f"email,name,status\n{email},Someone,left\n"
    report = people_import(actor=cast.viewer(cast.hr), file=text.encode())
    assert not report.errors


def test_someone_who_left_cannot_log_in_any_more(cast: Cast) -> None:
    leave(cast, "alice@example.com")
    client = Client()
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/inactive/"
    assert "_auth_user_id" not in client.session
    assert client.get("/goals/").status_code == 302


def test_a_session_opened_before_leaving_stops_working(cast: Cast) -> None:
    client = cast.client(cast.alice)
    assert client.get("/goals/").status_code == 200
    leave(cast, "alice@example.com")
    response = client.get("/goals/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/me").status_code == 401


def test_someone_who_comes_back_can_log_in_again(cast: Cast) -> None:
    leave(cast, "alice@example.com")
    text = "email,name,status\nalice@example.com,Alice Report,active\n"
    assert not people_import(actor=cast.viewer(cast.hr), file=text.encode()).errors
    client = Client()
    assert client.login(email="alice@example.com", password=PASSWORD)


def test_the_token_endpoint_refuses_a_password_alone_when_two_factor_is_on(cast: Cast) -> None:
    assert cast.alice.user is not None
    Authenticator.objects.create(
        user=cast.alice.user, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    response = Client().post(
        "/api/v1/auth/token",
        data=json.dumps({"email": "alice@example.com", "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "Two-factor" in response.json()["detail"]
    assert AccessToken.objects.count() == 0


def test_a_new_token_is_shown_once_and_reloading_mints_no_other(cast: Cast) -> None:
    client = cast.client(cast.alice)
    response = client.post("/access/tokens/", {"name": "laptop", "scope": "read"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("/access/tokens/")
    assert b"stride_" in response.content
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    again = client.get("/access/tokens/")
    assert b"Copy your new token now" not in again.content
    assert AccessToken.objects.count() == 1
