"""What a completed password reset does besides setting the password: the address HR set
stays verified (so two-factor authentication can be turned on), and every personal access
token is revoked, audited, as the reset pages say."""

from __future__ import annotations

import json
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client

from stride.access.models import AccessToken, AuditEntry
from stride.access.services import token_create
from stride.testing import Cast, Clock

# The reset and the two-factor set-up happen on the shared frozen clock, so the code
# computed here and the one the server expects fall in the same 30-second window.
pytestmark = pytest.mark.clock

NEW_PASSWORD = "a violet lantern at dawn 2031"


def reset_password(email: str) -> Client:
    """Go through allauth's real reset flow: ask, open the mailed link, choose a password."""
    client = Client()
    assert (
        b"revokes all your personal access tokens"
        in client.get("/accounts/password/reset/").content
    )
    client.post("/accounts/password/reset/", {"email": email})
    match = re.search(r"(/accounts/password/reset/key/\S+)", str(mail.outbox[-1].body))
    assert match
    form_page = client.get(match.group(1), follow=True)
    assert b"revokes all your personal access tokens" in form_page.content
    done = client.post(
        str(form_page.request["PATH_INFO"]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert b"Password changed" in done.content
    assert b"access tokens have been revoked" in done.content
    return client


def turn_on_two_factor(clock: Clock, email: str, password: str) -> Client:
    client = Client()
    client.post("/accounts/login/", {"login": email, "password": password})
    client.post("/accounts/reauthenticate/", {"password": password})
    page = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert page.request["PATH_INFO"] == "/accounts/2fa/totp/activate/", page.content[-2000:]
    assert b"verify your email" not in page.content.lower()
    secret = client.session["mfa.totp.secret"]
    code = format_hotp_value(hotp_value(secret, int(clock.now.timestamp()) // 30))
    client.post("/accounts/2fa/totp/activate/", {"code": code})
    return client


def test_two_factor_can_be_turned_on_after_a_password_reset(cast: Cast, clock: Clock) -> None:
    reset_password("alice@example.com")
    turn_on_two_factor(clock, "alice@example.com", NEW_PASSWORD)
    assert Authenticator.objects.filter(
        user__email="alice@example.com", type=Authenticator.Type.TOTP
    ).exists()


def test_a_login_without_an_address_row_gets_no_unverified_one_from_a_reset(
    cast: Cast, clock: Clock
) -> None:
    # Logins made by the demo or the admin before this fix had no address row; allauth's
    # own reset used to add one marked unverified, which blocked two-factor set-up.
    EmailAddress.objects.filter(email="alice@example.com").delete()
    reset_password("alice@example.com")
    assert not EmailAddress.objects.filter(user__email="alice@example.com", verified=False).exists()
    turn_on_two_factor(clock, "alice@example.com", NEW_PASSWORD)
    assert Authenticator.objects.filter(
        user__email="alice@example.com", type=Authenticator.Type.TOTP
    ).exists()


def test_a_reset_keeps_the_address_hr_set_verified(cast: Cast) -> None:
    reset_password("alice@example.com")
    assert list(
        EmailAddress.objects.filter(user__email="alice@example.com").values_list(
            "email", "verified", "primary"
        )
    ) == [("alice@example.com", True, True)]


def test_a_password_reset_revokes_every_personal_access_token(cast: Cast) -> None:
    viewer = cast.viewer(cast.alice)
    _laptop, laptop_secret = token_create(viewer=viewer, name="laptop")
    _ci, ci_secret = token_create(viewer=viewer, name="ci", scope="read")
    _bobs, bob_secret = token_create(viewer=cast.viewer(cast.bob), name="bob's")
    for secret in (laptop_secret, ci_secret):
        assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    reset_password("alice@example.com")

    for secret in (laptop_secret, ci_secret):
        assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    alice_tokens = AccessToken.objects.filter(owner=cast.alice)
    assert all(token.revoked_at is not None for token in alice_tokens)
    entries = AuditEntry.objects.filter(
        action="token.revoke", target_id__in=[str(t.pk) for t in alice_tokens]
    )
    assert sorted(json.dumps(e.changes) for e in entries) == ['{"reason": "password_reset"}'] * 2
    # Someone else's tokens are untouched.
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {bob_secret}").status_code == 200


def test_a_new_token_made_after_the_reset_works(cast: Cast) -> None:
    token_create(viewer=cast.viewer(cast.alice), name="old")
    reset_password("alice@example.com")
    _token, secret = token_create(viewer=cast.viewer(cast.alice), name="new")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
