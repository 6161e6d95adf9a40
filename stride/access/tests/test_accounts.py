"""Accounts as a person meets them: log in, wrong passwords, rate limits, password reset,
a second factor, password hashing and the absence of sign-up (django-allauth underneath)."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.test import Client

from stride import settings as project_settings
from stride.org.models import User
from stride.testing import PASSWORD, Cast
from stride.testing.clock import Clock

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse
    from pytest_django.fixtures import Settings

LOGIN_URL = "/accounts/login/"
NEW_PASSWORD = "a violet lantern at dawn 2031"


def log_in(client: Client, email: str, password: str) -> TestResponse:
    return client.post(LOGIN_URL, {"login": email, "password": password}, follow=True)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def final_path(response: TestResponse) -> str:
    return str(response.request["PATH_INFO"])


class _PageOutline(HTMLParser):
    """Collects what an accessibility check on a form page looks at."""

    def __init__(self) -> None:
        super().__init__()
        self.h1_count = 0
        self.label_targets: set[str] = set()
        self.inputs: list[dict[str, str | None]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "h1":
            self.h1_count += 1
        elif tag == "label" and attributes.get("for"):
            self.label_targets.add(str(attributes["for"]))
        elif tag in ("input", "select", "textarea") and attributes.get("type") not in (
            "hidden",
            "submit",
        ):
            self.inputs.append(attributes)


def outline(response: TestResponse) -> _PageOutline:
    parser = _PageOutline()
    parser.feed(response.content.decode())
    return parser


# --- Logging in ---------------------------------------------------------------------------


def test_logging_in_with_email_and_password_lands_on_my_goals(cast: Cast) -> None:
    client = Client()
    response = log_in(client, "alice@example.com", PASSWORD)
    assert is_logged_in(client)
    assert final_path(response) == "/goals/"
    assert response.status_code == 200


def test_the_email_address_is_matched_whatever_its_case(cast: Cast) -> None:
    client = Client()
    log_in(client, "Alice@Example.COM", PASSWORD)
    assert is_logged_in(client)


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(cast: Cast) -> None:
    client = Client()
    response = log_in(client, "alice@example.com", "not my password")
    assert not is_logged_in(client)
    assert final_path(response) == LOGIN_URL
    assert b'role="alert"' in response.content
    assert b"password you specified are not correct" in response.content


def test_an_empty_field_error_is_tied_to_its_input(cast: Cast) -> None:
    response = Client().post(LOGIN_URL, {"login": "", "password": PASSWORD})
    page = outline(response)
    login_input = next(i for i in page.inputs if i.get("name") == "login")
    assert login_input.get("aria-invalid") == "true"
    described_by = str(login_input.get("aria-describedby")).split()
    assert "id_login_error" in described_by
    assert "id_login_error" in page.ids


def test_after_too_many_failed_logins_even_the_right_password_is_refused(cast: Cast) -> None:
    # The configured limit is five failures per address in five minutes.
    assert project_settings.ACCOUNT_RATE_LIMITS["login_failed"].startswith("5/5m/key")
    client = Client()
    for _ in range(5):
        log_in(client, "alice@example.com", "guessing")
    response = log_in(client, "alice@example.com", PASSWORD)
    assert not is_logged_in(client)
    assert b"Too many failed login attempts" in response.content


def test_the_failed_login_limit_is_per_address(cast: Cast) -> None:
    for _ in range(5):
        log_in(Client(), "alice@example.com", "guessing")
    client = Client()
    log_in(client, "bob@example.com", PASSWORD)
    assert is_logged_in(client)


def test_the_failed_login_limit_lifts_after_five_minutes(cast: Cast, clock: Clock) -> None:
    for _ in range(5):
        log_in(Client(), "alice@example.com", "guessing")
    clock.shift(timedelta(minutes=5, seconds=1))
    client = Client()
    log_in(client, "alice@example.com", PASSWORD)
    assert is_logged_in(client)


def test_logging_out_ends_the_session(cast: Cast) -> None:
    client = Client()
    log_in(client, "alice@example.com", PASSWORD)
    response = client.post("/accounts/logout/", follow=True)
    assert not is_logged_in(client)
    assert final_path(response) == LOGIN_URL
    assert client.get("/goals/").status_code == 302


# --- Password reset -----------------------------------------------------------------------


def test_a_password_reset_email_lets_the_person_choose_a_new_password(cast: Cast) -> None:
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "alice@example.com"}, follow=True)
    assert b"Check your e-mail" in response.content
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert "Reset your Stride password" in message.subject
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", str(message.body))
    assert match, message.body

    form_page = client.get(match.group(1), follow=True)
    assert b"Choose a new password" in form_page.content
    done = client.post(
        final_path(form_page),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert b"Password changed" in done.content

    old = Client()
    log_in(old, "alice@example.com", PASSWORD)
    assert not is_logged_in(old)
    fresh = Client()
    assert final_path(log_in(fresh, "alice@example.com", NEW_PASSWORD)) == "/goals/"


def test_a_reset_for_an_unknown_address_points_to_hr_not_to_a_sign_up(cast: Cast) -> None:
    Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nobody@example.com"]
    assert "/accounts/signup/" not in str(message.body)
    assert "HR team" in str(message.body)


def test_a_used_reset_link_no_longer_works(cast: Cast) -> None:
    client = Client()
    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    match = re.search(r"(/accounts/password/reset/key/\S+)", str(mail.outbox[0].body))
    assert match
    form_page = client.get(match.group(1), follow=True)
    client.post(final_path(form_page), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    again = Client().get(match.group(1), follow=True)
    assert b"This link no longer works" in again.content


# --- Second factor ------------------------------------------------------------------------


def current_code(secret: str) -> str:
    counter = int(time.time()) // 30
    return format_hotp_value(hotp_value(secret, counter))


def turn_on_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def test_with_totp_on_the_password_alone_does_not_log_in(cast: Cast) -> None:
    assert cast.alice.user is not None
    turn_on_totp(cast.alice.user)
    client = Client()
    response = log_in(client, "alice@example.com", PASSWORD)
    assert not is_logged_in(client)
    assert final_path(response) == "/accounts/2fa/authenticate/"
    assert b"Two-factor authentication" in response.content


def test_a_valid_totp_code_completes_the_login(cast: Cast, clock: Clock) -> None:
    assert cast.alice.user is not None
    secret = turn_on_totp(cast.alice.user)
    client = Client()
    log_in(client, "alice@example.com", PASSWORD)
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": current_code(secret)}, follow=True
    )
    assert is_logged_in(client)
    assert final_path(response) == "/goals/"


def test_a_wrong_totp_code_is_refused(cast: Cast, clock: Clock) -> None:
    assert cast.alice.user is not None
    secret = turn_on_totp(cast.alice.user)
    client = Client()
    log_in(client, "alice@example.com", PASSWORD)
    valid = {format_hotp_value(hotp_value(secret, c)) for c in yield_hotp_counters_from_time()}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert not is_logged_in(client)
    assert b"Incorrect code" in response.content
    code_input = next(i for i in outline(response).inputs if i.get("name") == "code")
    assert code_input.get("aria-invalid") == "true"


def test_a_person_turns_on_totp_from_their_account_page(cast: Cast, clock: Clock) -> None:
    client = Client()
    log_in(client, "alice@example.com", PASSWORD)
    # Turning on a second factor asks for the password again first.
    asked = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert final_path(asked) == "/accounts/reauthenticate/"
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert_stride_page(page)
    secret = client.session["mfa.totp.secret"]
    assert secret.encode() in page.content
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user__email="alice@example.com", type=Authenticator.Type.TOTP
    ).exists()


def test_a_recovery_code_works_once_in_place_of_the_app(cast: Cast) -> None:
    assert cast.alice.user is not None
    turn_on_totp(cast.alice.user)
    authenticator = Authenticator.objects.get(
        user=cast.alice.user, type=Authenticator.Type.RECOVERY_CODES
    )
    code = RecoveryCodes(authenticator).get_unused_codes()[0]
    first = Client()
    log_in(first, "alice@example.com", PASSWORD)
    first.post("/accounts/2fa/authenticate/", {"code": code})
    assert is_logged_in(first)
    second = Client()
    log_in(second, "alice@example.com", PASSWORD)
    second.post("/accounts/2fa/authenticate/", {"code": code})
    assert not is_logged_in(second)


# --- Hashing and sign-up --------------------------------------------------------------------

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"


def project_hashers_and_the_cast_s() -> list[str]:
    """The project's hashers, Argon2 first, undoing the test-wide fast-hashing fixture; MD5
    stays last only so the cast's existing passwords can still be checked (and upgraded)."""
    return [*project_settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]


def test_stride_hashes_passwords_with_argon2(cast: Cast, settings: Settings) -> None:
    assert project_settings.PASSWORD_HASHERS[0] == ARGON2
    settings.PASSWORD_HASHERS = project_hashers_and_the_cast_s()
    client = Client()
    log_in(client, "alice@example.com", PASSWORD)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="alice@example.com")
    assert user.password.startswith("argon2$")
    assert user.check_password(NEW_PASSWORD)


def test_logging_in_upgrades_an_older_hash_to_argon2(cast: Cast, settings: Settings) -> None:
    assert User.objects.get(email="bob@example.com").password.startswith("md5$")
    settings.PASSWORD_HASHERS = project_hashers_and_the_cast_s()
    log_in(Client(), "bob@example.com", PASSWORD)
    assert User.objects.get(email="bob@example.com").password.startswith("argon2$")


def test_sign_up_is_closed(cast: Cast) -> None:
    before = User.objects.count()
    page = Client().get("/accounts/signup/")
    assert b"Accounts come from your HR team" in page.content
    response = Client().post(
        "/accounts/signup/",
        {"email": "stranger@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert b"Accounts come from your HR team" in response.content
    assert User.objects.count() == before
    assert not User.objects.filter(email="stranger@example.com").exists()


def test_the_login_page_offers_no_sign_up_link(cast: Cast) -> None:
    assert b"/accounts/signup/" not in Client().get(LOGIN_URL).content


# --- Single sign-on button ----------------------------------------------------------------


def test_the_login_page_has_no_sso_button_when_oidc_is_off(db: None) -> None:
    assert b"Log in with" not in Client().get(LOGIN_URL).content


def test_the_login_page_shows_the_sso_button_when_oidc_is_on(db: None, settings: Settings) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Acme Login",
                    "client_id": "stride",
                    "secret": "shh",
                    "settings": {"server_url": "https://id.example.com"},
                }
            ]
        }
    }
    content = Client().get(LOGIN_URL).content
    assert b"Log in with Acme Login" in content
    assert b'href="/accounts/oidc/sso/login/' in content


# --- Every account page looks like Stride and is labelled ---------------------------------

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/done/",
    "/accounts/signup/",
]
LOGGED_IN_PAGES = [
    "/accounts/logout/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
]


def assert_stride_page(response: TestResponse) -> None:
    assert response.status_code == 200
    assert b"/static/stride/app.css" in response.content
    page = outline(response)
    assert page.h1_count == 1
    unlabelled = [i for i in page.inputs if i.get("id") not in page.label_targets]
    assert unlabelled == []


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_account_pages_use_the_stride_layout(db: None, url: str) -> None:
    assert_stride_page(Client().get(url, follow=True))


@pytest.mark.parametrize("url", LOGGED_IN_PAGES)
def test_account_settings_pages_use_the_stride_layout(cast: Cast, url: str) -> None:
    client = Client()
    log_in(client, "alice@example.com", PASSWORD)
    assert_stride_page(client.get(url, follow=True))


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/2fa/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/recovery-codes/generate/",
    ],
)
def test_the_two_factor_pages_use_the_stride_layout(cast: Cast, url: str, clock: Clock) -> None:
    assert cast.alice.user is not None
    secret = turn_on_totp(cast.alice.user)
    client = Client()
    log_in(client, "alice@example.com", PASSWORD)
    assert_stride_page(client.get("/accounts/2fa/authenticate/"))
    client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert is_logged_in(client)
    # Changing the second factor asks for the password again first.
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.get(url)
    assert final_path(response) == url
    assert_stride_page(response)
