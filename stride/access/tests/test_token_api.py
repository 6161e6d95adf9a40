from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest
from django.test import Client

from stride.access.models import AccessToken, AuditEntry
from stride.access.services import TOKEN_PREFIX
from stride.testing import PASSWORD, Cast

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


def post_json(client: Client, url: str, data: object) -> TestResponse:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_it_exchanges_email_and_password_for_a_working_token(cast: Cast) -> None:
    response = post_json(
        Client(), "/api/v1/auth/token", {"email": "alice@example.com", "password": PASSWORD}
    )
    assert response.status_code == 201
    token = response.json()["token"]
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["email"] == "alice@example.com"


def test_it_stores_only_a_digest_of_the_token(cast: Cast) -> None:
    token = post_json(
        Client(), "/api/v1/auth/token", {"email": "alice@example.com", "password": PASSWORD}
    ).json()["token"]
    row = AccessToken.objects.get()
    # stride_<prefix>_<secret>; the secret itself may contain "_".
    secret = token.removeprefix(TOKEN_PREFIX).partition("_")[2]
    assert len(secret) >= 40
    assert secret not in row.digest and row.digest != token
    assert row.digest == hashlib.sha256(secret.encode()).hexdigest()


def test_a_wrong_password_answers_401_and_creates_nothing(cast: Cast) -> None:
    response = post_json(
        Client(), "/api/v1/auth/token", {"email": "alice@example.com", "password": "nope"}
    )
    assert response.status_code == 401
    assert AccessToken.objects.count() == 0


def test_a_missing_field_answers_422_naming_it(cast: Cast) -> None:
    response = post_json(Client(), "/api/v1/auth/token", {"email": "alice@example.com"})
    assert response.status_code == 422
    assert ["body", "password"] in [d["loc"] for d in response.json()["detail"]]


def test_a_revoked_token_stops_working(cast: Cast) -> None:
    data = post_json(
        Client(), "/api/v1/auth/token", {"email": "alice@example.com", "password": PASSWORD}
    ).json()
    auth = {"Authorization": f"Bearer {data['token']}"}
    assert Client().delete(f"/api/v1/auth/tokens/{data['id']}", headers=auth).status_code == 204
    assert Client().get("/api/v1/me", headers=auth).status_code == 401
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1


def test_nobody_can_revoke_someone_elses_token(cast: Cast) -> None:
    alice = post_json(
        Client(), "/api/v1/auth/token", {"email": "alice@example.com", "password": PASSWORD}
    ).json()
    bob = post_json(
        Client(), "/api/v1/auth/token", {"email": "bob@example.com", "password": PASSWORD}
    ).json()
    response = Client().delete(
        f"/api/v1/auth/tokens/{alice['id']}", headers={"Authorization": f"Bearer {bob['token']}"}
    )
    assert response.status_code == 404
    assert AccessToken.objects.get(pk=alice["id"]).revoked_at is None


def test_a_read_scoped_token_cannot_write(cast: Cast) -> None:
    data = post_json(
        Client(),
        "/api/v1/auth/token",
        {"email": "alice@example.com", "password": PASSWORD, "scope": "read"},
    ).json()
    response = Client().delete(
        f"/api/v1/auth/tokens/{data['id']}", headers={"Authorization": f"Bearer {data['token']}"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer stride_abcd_efgh", "Token x"])
def test_bad_tokens_are_refused(cast: Cast, header: str) -> None:
    assert Client().get("/api/v1/me", headers={"Authorization": header}).status_code == 401


def test_repeated_wrong_passwords_lock_the_token_endpoint_even_for_the_right_one(
    cast: Cast,
) -> None:
    for _ in range(5):
        bad = {"email": "alice@example.com", "password": "wrong"}
        assert post_json(Client(), "/api/v1/auth/token", bad).status_code == 401
    right = {"email": "alice@example.com", "password": PASSWORD}
    response = post_json(Client(), "/api/v1/auth/token", right)
    assert response.status_code == 429
    assert AccessToken.objects.count() == 0


def test_failures_on_the_login_page_count_against_the_token_endpoint(cast: Cast) -> None:
    for _ in range(5):
        Client().post("/accounts/login/", {"login": "alice@example.com", "password": "wrong"})
    right = {"email": "alice@example.com", "password": PASSWORD}
    assert post_json(Client(), "/api/v1/auth/token", right).status_code == 429


def test_the_account_menu_links_the_api_docs_which_say_where_tokens_are_made(
    cast: Cast,
) -> None:
    page = cast.client(cast.alice).get("/goals/").content.decode()
    assert 'href="/api/v1/docs"' in page
    document = cast.client(cast.alice).get("/api/v1/openapi.json").json()
    assert "Access tokens" in document["info"]["description"]


def test_my_team_is_in_the_navigation_only_for_people_with_reports(cast: Cast) -> None:
    link = 'href="/team/"'
    assert link in cast.client(cast.manager).get("/goals/").content.decode()
    assert link in cast.client(cast.skip).get("/goals/").content.decode()
    assert link not in cast.client(cast.alice).get("/goals/").content.decode()
    assert link not in cast.client(cast.outsider).get("/goals/").content.decode()


def test_the_roles_come_with_the_login_and_with_a_token(cast: Cast) -> None:
    # Read in the same query as the login or the token (not from a separate one).
    assert cast.client(cast.hr).get("/api/v1/me").json()["roles"] == ["hr_admin"]
    assert cast.client(cast.alice).get("/api/v1/me").json()["roles"] == []
    token = post_json(
        Client(), "/api/v1/auth/token", {"email": cast.hr.email, "password": PASSWORD}
    ).json()["token"]
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["roles"] == ["hr_admin"]
